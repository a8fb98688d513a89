package httpconn

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/loom-mesh/loom/internal/proxy/http1"
)

// translatedBody is an HTTP/1.1 request body as the HTTP/2 client reads it.
// Its trailers are taken from the codec once the body ended (h2's replay
// buffer asks for them through Trailer).
type translatedBody struct {
	r   *http1.BodyReader
	req *http1.Request
	// received is called when the body has been read in full.
	received func()
}

func (b *translatedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if errors.Is(err, io.EOF) {
		b.received()
	}
	return n, err
}

// Close is the HTTP/2 client's: it is done with the body. The connection's
// goroutine closes the reader itself before it reads again.
func (b *translatedBody) Close() error { return nil }

// Trailer returns the request's trailers; call it only after Read returned
// io.EOF (they are read with the end of the body).
func (b *translatedBody) Trailer() http.Header {
	if !b.r.Done() {
		return nil
	}
	var h http.Header
	for name, value := range b.req.Trailers().EndToEnd() {
		if h == nil {
			h = http.Header{}
		}
		h.Add(string(name), string(value))
	}
	return h
}

// announcedTrailers is the trailer fields a request's Trailer fields name,
// without values (an empty map when it names none: unannounced trailers
// are still relayed to servers that take them).
func announcedTrailers(req *http1.Request) http.Header {
	h := http.Header{}
	for v := range req.Headers().Values("trailer") {
		for name := range strings.SplitSeq(string(v), ",") {
			if name = strings.TrimSpace(name); name != "" {
				h[http.CanonicalHeaderKey(name)] = nil
			}
		}
	}
	return h
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// errUpstreamBody marks a failure to read the upstream's body (rather than
// to write it downstream).
var errUpstreamBody = errors.New("upstream body")

// copyBody relays src to w, flushing after every read so streams move piece
// by piece. A read failure is returned wrapped in errUpstreamBody.
func copyBody(w *http1.BodyWriter, src io.Reader) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if werr := w.Flush(); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errors.Join(errUpstreamBody, err)
		}
	}
}

// fieldsOf lists a net/http header as codec fields, names sorted so the
// head is the same from one response to the next.
func fieldsOf(h http.Header) []http1.Field {
	if len(h) == 0 {
		return nil
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	var out []http1.Field
	for _, name := range names {
		for _, v := range h[name] {
			out = append(out, http1.Field{Name: name, Value: v})
		}
	}
	return out
}

// http1ListHas reports whether a comma-separated field value lists elem.
func http1ListHas(v []byte, elem string) bool {
	for part := range strings.SplitSeq(string(v), ",") {
		if strings.EqualFold(strings.TrimSpace(part), elem) {
			return true
		}
	}
	return false
}
