package upstream

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
)

// RoundTripH1 sends a request in net/http's form — one from an HTTP/2
// client — to an HTTP/1.1 host over the cluster's pooled codec connections,
// the same ones HTTP/1.1 clients use. The request body is written by a
// goroutine counted in pumps (nil: not counted) while the response is read,
// so both bodies stream, in both directions at once if the upstream does;
// trailers cross both ways. The returned response's Body streams from the
// connection; closing it gives the connection back to the pool, or closes
// it if the exchange did not complete. ctx bounds every wait (its deadline
// and its cancellation interrupt the connection).
//
// A request that fails on a reused connection before any response byte is
// sent again once on a fresh one (the upstream most likely closed the idle
// connection), using req.GetBody for a body.
func (c *Cluster) RoundTripH1(ctx context.Context, h *Host, req *http.Request, pumps *sync.WaitGroup) (*http.Response, error) {
	for fresh := false; ; fresh = true {
		resp, stale, err := c.bridgeOnce(ctx, h, req, fresh, pumps)
		if err == nil || !stale || fresh {
			return resp, err
		}
		if hasBody(req) {
			if req.GetBody == nil {
				return nil, err
			}
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, err
			}
			req.Body = body
		}
		c.Stats.RqReusedRetry.Inc()
	}
}

// bridgeOnce is one exchange on one connection. stale reports a failure on
// a reused connection before any response byte arrived.
func (c *Cluster) bridgeOnce(ctx context.Context, h *Host, req *http.Request, fresh bool, pumps *sync.WaitGroup) (*http.Response, bool, error) {
	uc, err := c.Conn(ctx, h, fresh)
	if err != nil {
		return nil, false, err
	}
	x := &bridge{uc: uc, req: req, ctx: ctx}
	x.watch()
	if err := x.send(pumps); err != nil {
		return nil, x.uc.RetrySafe(), x.fail(err)
	}
	if err := x.readHead(); err != nil {
		return nil, x.uc.RetrySafe(), x.fail(err)
	}
	return x.response(), false, nil
}

// bridge is one request on one pooled connection.
type bridge struct {
	uc   *Conn
	req  *http.Request
	ctx  context.Context
	stop func() bool // stops the cancellation watch
	pump *requestPump
	head http1.Response
	body *http1.BodyReader
	once sync.Once
}

// watch bounds the exchange by ctx: its deadline becomes the connection's,
// and its cancellation interrupts whatever waits on the connection.
func (x *bridge) watch() {
	if dl, ok := x.ctx.Deadline(); ok {
		x.uc.SetDeadline(dl)
	}
	nc := x.uc.Conn()
	x.stop = context.AfterFunc(x.ctx, func() { nc.SetDeadline(longAgo) })
}

// longAgo is a deadline that has passed: setting it wakes a blocked call.
var longAgo = time.Unix(1, 0)

// send writes the head (flushed, so the upstream can answer early) and
// starts the body's pump.
func (x *bridge) send(pumps *sync.WaitGroup) error {
	head := requestHead(x.req)
	w, err := x.uc.StartRequest(&head)
	if err != nil {
		return err
	}
	if head.ContentLength == 0 {
		return w.Finish(nil)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	x.pump = startPump(w, x.uc.Conn(), x.req, pumps)
	return nil
}

// readHead reads the final response head, skipping 1xx ones (HTTP/2
// clients get none relayed).
func (x *bridge) readHead() error {
	for {
		if err := x.uc.ReadResponseTo(&x.head, x.req.Method); err != nil {
			return err
		}
		if !x.head.Interim() {
			return nil
		}
	}
}

// fail ends an exchange that produced no response and returns the error
// to report. A timeout waits (briefly) for ctx to say so, so the caller
// tells a route or per-try timeout from a reset.
func (x *bridge) fail(err error) error {
	x.finish()
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		select {
		case <-x.ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

// finish ends the exchange's use of the connection, once: the pump stops
// touching it, the watch stops, and the connection goes back to the pool
// if the exchange completed cleanly, else it is closed.
func (x *bridge) finish() {
	x.once.Do(func() {
		if x.body != nil {
			x.body.Close()
		}
		clean := x.pump == nil || x.pump.abandon()
		if x.stop() && clean {
			x.uc.Release()
			return
		}
		x.uc.Discard()
	})
}

func hasBody(req *http.Request) bool { return req.Body != nil && req.Body != http.NoBody }

// requestHead renders req for the codec.
func requestHead(req *http.Request) http1.RequestHead {
	h := http1.RequestHead{
		Method: req.Method, Target: req.URL.RequestURI(), Authority: req.Host,
		ContentLength: req.ContentLength, Trailers: len(req.Trailer) > 0,
	}
	if !hasBody(req) {
		h.ContentLength = 0 // for server requests, 0 is no body and -1 unknown
	}
	for name, values := range req.Header {
		for _, v := range values {
			h.Fields = append(h.Fields, http1.Field{Name: name, Value: v})
		}
	}
	if h.Trailers {
		h.Fields = append(h.Fields, http1.Field{Name: "Trailer", Value: keys(req.Trailer)})
	}
	return h
}

func keys(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	return strings.Join(names, ", ")
}

// response renders the head read as a net/http response whose body streams
// from the connection.
func (x *bridge) response() *http.Response {
	code := x.head.Status()
	resp := &http.Response{
		Status: strconv.Itoa(code) + " " + http.StatusText(code), StatusCode: code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, x.head.Headers().Len()), ContentLength: x.head.ContentLength(),
		Request: x.req,
	}
	for name, value := range x.head.Headers().EndToEnd() {
		if !strings.EqualFold(string(name), "trailer") {
			resp.Header.Add(string(name), string(value))
			continue
		}
		for k := range strings.SplitSeq(string(value), ",") {
			if k = strings.TrimSpace(k); k != "" {
				if resp.Trailer == nil {
					resp.Trailer = http.Header{}
				}
				resp.Trailer[http.CanonicalHeaderKey(k)] = nil
			}
		}
	}
	if resp.ContentLength >= 0 {
		resp.Header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	x.body = x.uc.ResponseBody()
	resp.Body = &bridgeBody{x: x, resp: resp}
	return resp
}
