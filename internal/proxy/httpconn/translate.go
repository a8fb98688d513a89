package httpconn

import (
	"context"
	"errors"
	"net/http"

	"github.com/loom-mesh/loom/internal/proxy/h2"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// forwardH2 forwards an HTTP/1.1 request to an HTTP/2 cluster with both
// bodies streaming: the HTTP/2 client's goroutine reads the request body
// through the codec's RequestBody reader while this goroutine relays the
// response, so memory stays bounded whatever the sizes, a stream can go
// both ways at once, and trailers cross in both directions. Retries replay
// the request body only while it fits h2's replay buffer.
func (c *conn) forwardH2(d router.Decision) {
	rt := router.NewRouteTimer(context.Background(), d.Target.Route.Forward.Timeout)
	defer rt.Stop()
	var body *translatedBody
	if c.req.HasBody() {
		br, err := c.sc.RequestBody()
		if err != nil {
			c.bodyFailed(err)
			return
		}
		body = &translatedBody{r: br, req: &c.req, received: func() {
			c.requestReceived()
			rt.RequestComplete()
		}}
		defer br.Close() // the HTTP/2 client may still hold it: take the connection back
	} else {
		rt.RequestComplete()
	}
	ctx := rt.Context()
	c.watchCancel(rt.Stop) // the stream timeouts' watchdog interrupts through it
	defer c.watchCancel(nil)
	res := h2.Forward(rt, c.asHTTPRequest(ctx, body), d)
	if res.Resp == nil {
		c.translateFailed(res.Failure, body)
		return
	}
	defer res.Cancel()
	defer res.Resp.Body.Close()
	c.relayTranslated(res.Resp, d.Dest)
}

// translateFailed answers a request that got no response: when reading its
// body failed the client is to blame (400 for a malformed body, nothing for
// one that went away), else the forwarding failure is.
func (c *conn) translateFailed(f router.Failure, body *translatedBody) {
	if body != nil {
		body.r.Close()
		if err := body.r.Err(); err != nil {
			c.bodyFailed(err)
			return
		}
	}
	c.failed(f)
}

// asHTTPRequest renders the codec request as net/http's server would, its
// body (if any) read through body.
func (c *conn) asHTTPRequest(ctx context.Context, body *translatedBody) *http.Request {
	r := &http.Request{
		Method:     string(c.req.Method()),
		RequestURI: c.q.Path(),
		Host:       string(c.req.Authority()),
		Header:     make(http.Header, c.req.Headers().Len()),
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	for name, value := range c.req.Headers().EndToEnd() {
		r.Header.Add(string(name), string(value))
	}
	r.Header.Del("Trailer") // trailers are sent as they come, unannounced
	if te, ok := c.req.Header("te"); ok && http1ListHas(te, "trailers") {
		r.Header.Set("Te", "trailers")
	}
	if body != nil {
		r.Body = body
		r.ContentLength = c.req.ContentLength()
		if r.ContentLength < 0 {
			r.Trailer = announcedTrailers(&c.req) // a chunked body may end with trailers
		}
	}
	return r.WithContext(ctx)
}

// relayTranslated streams an HTTP/2 response to the HTTP/1.1 client: the
// head at once, the body as it arrives, then the trailers (in a chunked
// body). If the upstream fails mid-body the client connection is closed
// without ending the body, so a truncated body is never taken for a whole.
func (c *conn) relayTranslated(resp *http.Response, d *router.Dest) {
	c.requestReceived() // the response began: request_timeout no longer applies
	c.x.status = resp.StatusCode
	head := http1.ResponseHead{Status: resp.StatusCode, Fields: fieldsOf(resp.Header),
		ContentLength: resp.ContentLength, Trailers: len(resp.Trailer) > 0}
	w, err := c.sc.StartResponse(&head, c.responseEdit(d.H1Response))
	if errors.Is(err, http1.ErrBadField) {
		c.localReply(router.ReplyProtocolError)
		return
	}
	if err == nil && head.ContentLength < 0 {
		err = w.Flush() // a stream may take long to start: the head goes now
	}
	if err == nil {
		err = copyBody(w, resp.Body)
	}
	if err == nil {
		err = w.Finish(fieldsOf(resp.Trailer))
	}
	if err != nil {
		c.translatedBroke(w)
	}
}

// translatedBroke records how a relayed response broke: the client went
// away, or the upstream failed (then a 503 if nothing was sent yet).
func (c *conn) translatedBroke(w *http1.BodyWriter) {
	if w != nil && w.Err() != nil {
		c.x.flag = stats.FlagDownstreamTermination
		return
	}
	rep, timedOut := c.timedOut()
	if !timedOut {
		rep = router.ReplyReset
	}
	c.x.flag = rep.Flag
	if c.sc.AbortResponse() {
		c.localReply(rep)
	}
}
