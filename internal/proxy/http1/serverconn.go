package http1

import (
	"bufio"
	"io"
	"net"
)

// ServerConn is the proxy's side of a downstream (client) connection. It is
// used by one goroutine at a time: the one serving that connection.
type ServerConn struct {
	pool    *Pool
	wire    wire
	br      *bufio.Reader
	bw      *bufio.Writer
	scratch []byte
	req     *Request // the request being served, nil after a bad head
	body    decoder  // req's body
	enc     encoder  // the response body
	mark    int64    // wire.written when the current response started
	// closeAfter: the connection must close after the current response.
	closeAfter bool
	upgraded   bool
	detached   bool
	badHead    bool // the last head was rejected: the client may still be sending
	maxHead    int  // request head limit (Config.MaxHeadBytes unless set)
	// reader is the current request's RequestBody reader, if any.
	reader *BodyReader
	parts  BodyWriter // the body of a response begun with StartResponse
}

// NewServerConn wraps a downstream connection, taking buffers from the pool.
// Close (or Detach) returns them.
func (p *Pool) NewServerConn(conn net.Conn) *ServerConn {
	c := &ServerConn{pool: p, wire: wire{conn: conn}}
	c.br = p.getReader(&c.wire)
	c.bw = p.getWriter(&c.wire)
	c.body.maxHead, c.body.maxFields = p.cfg.MaxHeadBytes, p.cfg.MaxHeaders
	c.maxHead = p.cfg.MaxHeadBytes
	return c
}

// Conn returns the wrapped connection (for deadlines and addresses).
func (c *ServerConn) Conn() net.Conn { return c.wire.conn }

// Progress returns the bytes read and written on the connection so far. It
// may be called from any goroutine: a change means the connection moved.
func (c *ServerConn) Progress() uint64 { return c.wire.progress() }

// SetMaxHeadBytes sets this connection's request head limit (and trailer
// section limit), e.g. from a listener's max_request_headers_kb; n <= 0
// keeps the pool's.
func (c *ServerConn) SetMaxHeadBytes(n int) {
	if n > 0 {
		c.maxHead, c.body.maxHead = n, n
	}
}

// ReadRequest reads the next request head into req. It returns io.EOF when
// the client closed before sending a byte, or when the connection cannot
// serve another request (KeepAlive false, or the previous request's body was
// never read), an
// *IOError for other read failures and an *Error (Side Downstream) for a bad
// head; after an *Error, answer with WriteLocal(err.Status(), ...) and close.
// The request body stays on the connection until BufferBody, WriteRequest or
// a response consumes it.
func (c *ServerConn) ReadRequest(req *Request) error {
	if c.detached {
		return ErrDetached
	}
	c.closeReader()
	// A previous request whose body was left unread makes the stream
	// unparseable: the connection can only close.
	if c.closeAfter || c.upgraded || c.req != nil && !c.body.done() {
		c.closeAfter = true
		return errEOF()
	}
	if req.body != nil {
		c.pool.putBody(req.body)
	}
	req.reset()
	c.req = nil
	raw, err := readHead(c.br, req.raw[:0], c.maxHead, headRequest, Downstream)
	req.raw = raw
	if err == nil {
		err = req.parse(c.pool.cfg.MaxHeaders)
	}
	if err != nil {
		c.closeAfter = true
		c.badHead = err != io.EOF
		return err
	}
	req.src, c.req = c, req
	c.body.init(c.br, req.framing, req.contentLength, Downstream)
	c.body.trailers, c.body.trailerRaw = &req.trailers, &req.trailerRaw
	if req.expect100 && req.HasBody() {
		c.body.cont = c
	}
	c.mark = c.wire.written.Load()
	return nil
}

// sendContinue writes the interim 100 Continue the client waits for.
func (c *ServerConn) sendContinue() error {
	c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	if err := c.bw.Flush(); err != nil {
		c.closeAfter = true
		return &IOError{Side: Downstream, Op: "write", Err: err}
	}
	c.mark = c.wire.written.Load()
	return nil
}

// KeepAlive reports whether the connection may serve another request: the
// client did not ask to close, the request body was read to its end, no
// error occurred, the response was not close-delimited or a tunnel, and no
// edit asked to close.
func (c *ServerConn) KeepAlive() bool {
	return !c.closeAfter && !c.upgraded && !c.detached
}

// Committed reports whether any byte of the current final response has been
// written to the client (interim 1xx responses do not count). Until then a
// failed exchange can still be answered with WriteLocal (e.g. 502).
func (c *ServerConn) Committed() bool { return c.wire.written.Load() > c.mark }

// wantClose decides, before a response head is written, whether the
// connection closes after it.
func (c *ServerConn) wantClose(ed *ResponseEdit) bool {
	return c.closeAfter || c.req == nil || c.req.close || !c.requestBodyDone() ||
		ed != nil && ed.Close
}

// WriteResponse writes resp's head, rewritten by ed (nil: no rewrite), and
// relays its body from the upstream connection it was read from, then
// flushes. On an error it returns the failing side's *IOError or *Error; if
// nothing reached the client yet (Committed is false) the buffered head is
// discarded so a WriteLocal can follow, otherwise the client must be
// disconnected (KeepAlive is false) so a truncated body is never taken for a
// whole one.
func (c *ServerConn) WriteResponse(resp *Response, ed *ResponseEdit) error {
	if c.detached {
		return ErrDetached
	}
	minor := uint8(1)
	if c.req != nil {
		minor = c.req.minor
	}
	p := planResponse(resp, minor, c.wantClose(ed))
	c.closeAfter, c.mark = p.close, c.wire.written.Load()
	c.scratch = appendResponseHead(c.scratch[:0], resp, ed, p)
	if err := c.writeResponseBody(resp, p, c.scratch); err != nil {
		c.abort(err)
		return err
	}
	c.upgraded = resp.tunnel
	return nil
}

func (c *ServerConn) writeResponseBody(resp *Response, p respPlan, head []byte) error {
	c.enc.init(c.bw, p.kind, Downstream)
	if _, err := c.bw.Write(head); err != nil {
		return c.enc.err(err)
	}
	if src := resp.src; src != nil && resp.HasBody() {
		d := &src.body
		d.flush, d.flushSide = c.bw, Downstream
		err := relay(d, &c.enc)
		d.flush = nil
		if err != nil {
			return err
		}
		if err := c.enc.finish(&resp.trailers); err != nil {
			return err
		}
	}
	return c.enc.flush()
}

// abort handles a failed response. If nothing of it reached the client and
// the upstream failed, the buffered part is dropped so the caller can answer
// with an error instead, and the connection stays usable; otherwise the
// connection must close.
func (c *ServerConn) abort(err error) {
	if !c.Committed() && errorSide(err) == Upstream {
		c.bw.Reset(&c.wire)
		return
	}
	c.closeAfter = true
}

// WriteInterim forwards a 1xx response (e.g. 103 Early Hints) and flushes.
// It writes nothing to an HTTP/1.0 client, which must not get 1xx responses.
func (c *ServerConn) WriteInterim(resp *Response) error {
	if c.detached {
		return ErrDetached
	}
	if c.req == nil || c.req.minor == 0 || !resp.Interim() {
		return nil
	}
	dst := appendStatusLine(c.scratch[:0], resp.status, resp.reason)
	dst = appendResponseFields(dst, &resp.headers, nil)
	c.scratch = append(dst, '\r', '\n')
	c.bw.Write(c.scratch)
	if err := c.bw.Flush(); err != nil {
		c.closeAfter = true
		return &IOError{Side: Downstream, Op: "write", Err: err}
	}
	c.mark = c.wire.written.Load()
	return nil
}
