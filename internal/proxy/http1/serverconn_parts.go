package http1

// RequestBody returns a reader of the current request's body, decoded,
// starting with whatever BufferBody kept, for relaying it to a stream of
// another protocol. It sends a pending 100 Continue first. The reader may be
// used by another goroutine while this one answers (StartResponse,
// WriteLocal); the next ReadRequest, Close or Detach must come after its
// Close (Close and Detach close it themselves). It returns ErrNotReplayable
// when part of the body was already relayed by WriteRequest.
func (c *ServerConn) RequestBody() (*BodyReader, error) {
	if c.detached {
		return nil, ErrDetached
	}
	req := c.req
	if req == nil || req.streamed {
		return nil, ErrNotReplayable
	}
	if c.body.cont != nil && !c.body.done() {
		c.body.cont = nil
		if err := c.sendContinue(); err != nil {
			return nil, err
		}
	}
	r := &BodyReader{d: &c.body, conn: c.wire.conn, req: req}
	if req.body != nil {
		r.prefix = *req.body
	}
	if c.body.done() {
		r.done.Store(true)
	}
	c.reader = r
	return r, nil
}

// requestBodyDone reports whether the request body was read to its end,
// without touching the decoder while a RequestBody reader may be using it.
func (c *ServerConn) requestBodyDone() bool {
	if c.reader != nil {
		return c.reader.done.Load()
	}
	return c.body.done()
}

// closeReader ends a RequestBody reader's use of the connection.
func (c *ServerConn) closeReader() {
	if c.reader != nil {
		c.reader.Close()
		c.reader = nil
	}
}

// StartResponse writes (into the buffer) the head of a response that did
// not come from an HTTP/1.1 upstream, rewritten by ed, and returns the
// writer for its body: a length when known and no trailers follow, else
// chunked (close-delimited for HTTP/1.0 clients); no body for HEAD, 204 and
// 304. End it with Finish; if the body's source fails, call AbortResponse
// instead. It returns ErrBadField for an invalid status or field.
func (c *ServerConn) StartResponse(h *ResponseHead, ed *ResponseEdit) (*BodyWriter, error) {
	if c.detached {
		return nil, ErrDetached
	}
	minor, head := uint8(1), false
	if c.req != nil {
		minor, head = c.req.minor, c.req.IsMethod("HEAD")
	}
	p := planPartsResponse(h, head, minor, c.wantClose(ed))
	dst, ok := appendResponsePartsHead(c.scratch[:0], h, ed, p)
	if !ok {
		return nil, ErrBadField
	}
	c.scratch = dst
	c.closeAfter, c.mark = p.close, c.wire.written.Load()
	c.parts.init(c.bw, p.kind, Downstream, h.ContentLength, c)
	if _, err := c.bw.Write(dst); err != nil {
		return nil, c.parts.setErr(c.parts.enc.err(err))
	}
	return &c.parts, nil
}

// AbortResponse gives up the response StartResponse began, when its source
// failed. If no byte of it reached the client the buffered part is dropped
// and it returns true: answer with WriteLocal instead. Otherwise the
// connection closes after this exchange without ending the body, so the
// client cannot take a truncated body for a whole one.
func (c *ServerConn) AbortResponse() bool {
	if !c.Committed() {
		c.bw.Reset(&c.wire)
		return true
	}
	c.closeAfter = true
	return false
}
