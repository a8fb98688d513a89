package http1

import (
	"errors"
	"io"
)

// BufferBody reads the request body (decoded, without chunk framing) and its
// trailers into a pooled buffer, up to max bytes, so that WriteRequest can
// send it again on a retry. complete is true when the whole body is buffered
// (then Replayable is true); false when the body is longer than max: the
// buffered part is kept and WriteRequest will stream the rest once. Errors:
// an *IOError or *Error on the downstream side.
func (r *Request) BufferBody(max int64) (complete bool, err error) {
	if !r.HasBody() || r.bodyDone {
		return true, nil
	}
	c := r.src
	if r.streamed || c == nil || c.detached || c.req != r {
		return false, ErrNotReplayable
	}
	if r.body == nil {
		r.body = c.pool.getBody()
	}
	for {
		room := max - int64(len(*r.body))
		p, err := c.body.next()
		if errors.Is(err, io.EOF) {
			r.bodyDone = true
			return true, nil
		}
		if err != nil {
			c.closeAfter = true
			return false, err
		}
		if room <= 0 {
			return false, nil
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
		*r.body = append(*r.body, p...)
		c.body.advance(len(p))
	}
}
