package httpconn

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/loom-mesh/loom/internal/proxy/h2"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// translateLimit bounds request and response bodies carried between an
// HTTP/1.1 client and an HTTP/2 cluster. The codec relays bodies between its
// own connections only, so this path buffers whole bodies (no streaming, no
// trailers); it serves plain HTTP/1.1 clients of HTTP/2-only services.
const translateLimit = 4 << 20

// forwardH2 forwards an HTTP/1.1 request to an HTTP/2 cluster.
func (c *conn) forwardH2(d router.Decision) {
	if c.req.HasBody() {
		complete, err := c.req.BufferBody(translateLimit)
		if err != nil {
			c.bodyFailed(err)
			return
		}
		if !complete {
			c.localReply(router.LocalReply{Status: 413, Reason: "request body too large for HTTP/2 translation", Flag: stats.FlagLocalReset})
			return
		}
	}
	ctx := context.Background()
	if to := d.Target.Route.Forward.Timeout; to > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, c.x.start.Add(to))
		defer cancel()
	}
	res := h2.Forward(ctx, c.asHTTPRequest(ctx), d)
	if res.Resp == nil {
		c.failed(res.Failure)
		return
	}
	defer res.Cancel()
	defer res.Resp.Body.Close()
	c.writeTranslated(res.Resp, d.Dest)
}

// asHTTPRequest renders the codec request as net/http's server would.
func (c *conn) asHTTPRequest(ctx context.Context) *http.Request {
	r := &http.Request{
		Method:     string(c.req.Method()),
		RequestURI: c.q.Path(),
		Host:       string(c.req.Authority()),
		Header:     make(http.Header, c.req.Headers().Len()),
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	for name, value := range c.req.Headers().All() {
		r.Header.Add(string(name), string(value))
	}
	for _, k := range []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Expect"} {
		r.Header.Del(k)
	}
	if body := c.req.BufferedBody(); len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return r.WithContext(ctx)
}

// writeTranslated sends an HTTP/2 response to the HTTP/1.1 client.
func (c *conn) writeTranslated(resp *http.Response, d *router.Dest) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, translateLimit+1))
	if err != nil || len(body) > translateLimit {
		c.localReply(router.ReplyReset)
		return
	}
	hdr := resp.Header.Clone()
	for _, m := range d.Response {
		for _, n := range m.Remove {
			hdr.Del(n)
		}
		for _, f := range m.Set {
			hdr.Set(f.Name, f.Value)
		}
		for _, f := range m.Add {
			hdr.Add(f.Name, f.Value)
		}
	}
	ct := hdr.Get("Content-Type")
	ed := c.responseEdit(nil)
	for k, vs := range hdr {
		if skipTranslated(k) {
			continue
		}
		for _, v := range vs {
			ed.Extra, _ = http1.AppendField(ed.Extra, []byte(k), []byte(v))
		}
	}
	c.x.status = resp.StatusCode
	c.sc.WriteLocal(resp.StatusCode, ed, ct, body)
}

func skipTranslated(k string) bool {
	switch strings.ToLower(k) {
	case "content-type", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "trailer":
		return true
	}
	return false
}
