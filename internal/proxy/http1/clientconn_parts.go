package http1

import (
	"errors"
	"io"
)

// StartRequest writes (into the buffer) the head of a request that did not
// come from an HTTP/1.1 client and returns the writer for its body: chunked
// when its length is unknown or trailers follow, else a length (none when
// ContentLength is 0). End it with Finish, which flushes.
//
// The writer may be used by another goroutine while this one reads the
// response (ReadResponseTo, ResponseBody), since an HTTP/1.1 server may
// answer before the request ends. Call Reusable (and give the connection
// back) only once both are done. It returns ErrBadField for an invalid
// request line part or field, ErrNotReusable on a connection whose last
// exchange did not leave it Reusable.
func (c *ClientConn) StartRequest(h *RequestHead) (*BodyWriter, error) {
	if c.detached {
		return nil, ErrDetached
	}
	if c.exchanges > 0 && !c.Reusable() {
		return nil, ErrNotReusable
	}
	dst, kind, ok := appendRequestPartsHead(c.scratch[:0], h)
	if !ok {
		return nil, ErrBadField
	}
	c.scratch = dst
	c.exchanges++
	c.readMark, c.final, c.resp, c.earlyResponse = c.wire.read.Load(), false, nil, false
	c.partsReq = true
	c.parts.init(c.bw, kind, Upstream, h.ContentLength, nil)
	if _, err := c.bw.Write(dst); err != nil {
		c.broken = true
		return nil, c.parts.setErr(c.parts.enc.err(err))
	}
	return &c.parts, nil
}

// ReadResponseTo reads the next response head into resp for a request of
// the given method (HEAD responses have no body); see ReadResponse.
func (c *ClientConn) ReadResponseTo(resp *Response, method string) error {
	return c.readResponse(resp, method == "HEAD", method == "CONNECT", false)
}

// ResponseBody returns a reader of the body of the response just read by
// ReadResponseTo (or ReadResponse), decoded; the response's Trailers are
// filled in when it returns io.EOF. Reading it to the end keeps the
// connection Reusable.
func (c *ClientConn) ResponseBody() *BodyReader {
	r := &BodyReader{d: &c.body, conn: c.wire.conn}
	if c.resp == nil || !c.final {
		r.err = errNoResponse
	}
	if c.body.done() {
		r.done.Store(true)
	}
	return r
}

var errNoResponse = errors.New("http1: no final response head read")

// partsDone reports whether a request begun with StartRequest was finished
// without error (true for requests written by WriteRequest).
func (c *ClientConn) partsDone() bool {
	return !c.partsReq || c.parts.done && c.parts.err == nil
}

var _ io.Reader = (*BodyReader)(nil)
