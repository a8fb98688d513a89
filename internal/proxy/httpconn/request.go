package httpconn

import (
	"strings"
	"unsafe"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// request adapts a codec request to route.Request without copying: the
// strings alias the request's head buffer and are used only while the
// request is being routed, before the next ReadRequest reuses the buffer.
type request struct {
	r *http1.Request
}

var _ route.Request = (*request)(nil)

// view returns a string sharing b's bytes. b must not change while the
// string is in use (the codec's head buffer is stable until the next read).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (q *request) Method() string    { return view(q.r.Method()) }
func (q *request) Authority() string { return view(q.r.Authority()) }
func (q *request) Scheme() string    { return "http" }

// Path is the origin-form target (path and query). An absolute-form target
// is rebuilt from its parts, which allocates; clients send those to proxies
// only.
func (q *request) Path() string {
	t := q.r.Target()
	if len(t) > 0 && t[0] == '/' {
		return view(t)
	}
	query, ok := q.r.Query()
	if !ok {
		return view(q.r.Path())
	}
	return string(q.r.Path()) + "?" + string(query)
}

// Header returns the field's value; several fields of one name are joined
// with "," as Envoy's matchers see them.
func (q *request) Header(name string) (string, bool) {
	v, ok := q.r.Header(name)
	if !ok {
		return "", false
	}
	n := 0
	for range q.r.Headers().Values(name) {
		n++
	}
	if n == 1 {
		return view(v), true
	}
	var parts []string
	for v := range q.r.Headers().Values(name) {
		parts = append(parts, string(v))
	}
	return strings.Join(parts, ","), true
}
