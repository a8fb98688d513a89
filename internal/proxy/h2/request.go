package h2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// request adapts a downstream *http.Request to route.Request.
type request struct{ r *http.Request }

var _ route.Request = (*request)(nil)

func (q *request) Method() string    { return q.r.Method }
func (q *request) Authority() string { return q.r.Host }
func (q *request) Path() string      { return q.r.RequestURI }
func (q *request) Scheme() string    { return "http" }
func (q *request) Header(name string) (string, bool) {
	vs, ok := q.r.Header[http.CanonicalHeaderKey(name)]
	switch {
	case !ok:
		return "", false
	case len(vs) == 1:
		return vs[0], true
	}
	return strings.Join(vs, ","), true
}

var errNotReplayable = errors.New("request body streamed past the replay buffer")

// hopHeaders are connection-specific and never forwarded (RFC 9110 7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate", "Proxy-Authorization"}

// outgoing builds the upstream request for one attempt: path and host
// rewrites, hop-by-hop headers dropped, mutations and x-request-id applied.
func outgoing(ctx context.Context, in *http.Request, t *router.Target, d *router.Dest, host *upstream.Host, body *replayBody) *http.Request {
	fwd := t.Route.Forward
	path := in.RequestURI
	if p, ok := fwd.RewritePath(&t.Route.Match, path); ok {
		path = p
	}
	p, q, _ := strings.Cut(path, "?")
	out := &http.Request{
		Method:        in.Method,
		URL:           &url.URL{Scheme: "http", Host: host.Addr.String(), Opaque: p, RawQuery: q},
		Proto:         "HTTP/2.0",
		ProtoMajor:    2,
		Header:        forwardHeaders(in.Header, d.Request),
		Host:          in.Host,
		ContentLength: in.ContentLength,
	}
	if fwd.HostRewrite != "" {
		out.Host = fwd.HostRewrite
	}
	if body != nil {
		// Each attempt gets its own trailer map, announcing the same keys
		// (HTTP/2 servers may drop unannounced trailers) and filled when
		// its body ends: the downstream's values arrive only then.
		if in.Trailer != nil {
			out.Trailer = make(http.Header, len(in.Trailer))
			for k := range in.Trailer {
				out.Trailer[k] = nil
			}
		}
		out.Body = body.attempt(out.Trailer)
		out.GetBody = func() (io.ReadCloser, error) {
			if !body.replayable() {
				return nil, errNotReplayable
			}
			return body.attempt(out.Trailer), nil
		}
	}
	return out.WithContext(ctx)
}

// forwardHeaders copies the downstream headers for the upstream.
func forwardHeaders(in http.Header, mutations []*route.HeaderMutation) http.Header {
	out := make(http.Header, len(in)+2)
	for k, vs := range in {
		out[k] = vs
	}
	for _, k := range hopHeaders {
		delete(out, k)
	}
	if te := out["Te"]; len(te) > 0 && !strings.EqualFold(te[0], "trailers") {
		delete(out, "Te")
	}
	if _, ok := out["X-Forwarded-Proto"]; !ok {
		out["X-Forwarded-Proto"] = []string{"http"}
	}
	if _, ok := out["X-Request-Id"]; !ok {
		out["X-Request-Id"] = []string{newRequestID()}
	}
	applyMutations(out, mutations)
	return out
}

// applyMutations applies header mutation layers in order.
func applyMutations(h http.Header, layers []*route.HeaderMutation) {
	for _, m := range layers {
		for _, name := range m.Remove {
			h.Del(name)
		}
		for _, f := range m.Set {
			h.Set(f.Name, f.Value)
		}
		for _, f := range m.Add {
			h.Add(f.Name, f.Value)
		}
	}
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	var buf [36]byte
	return string(router.AppendRequestID(buf[:0]))
}
