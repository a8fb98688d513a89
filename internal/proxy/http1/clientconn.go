package http1

import (
	"bufio"
	"errors"
	"io"
	"net"
)

// ClientConn is the proxy's side of an upstream (server) connection. It
// lives in a connection pool and is used by one goroutine at a time.
type ClientConn struct {
	pool    *Pool
	wire    wire
	br      *bufio.Reader
	bw      *bufio.Writer
	scratch []byte
	enc     encoder // the request body
	body    decoder // the response body
	resp    *Response

	exchanges  int   // requests started on this connection
	readMark   int64 // wire.read when the current request started
	final      bool  // the current exchange's final response head was read
	closeAfter bool  // the upstream will close, or we asked it to
	broken     bool  // an error left the connection in an unknown state
	// earlyResponse: writing the request failed with response bytes waiting.
	earlyResponse bool
	detached      bool
	// partsReq: the current request was begun by StartRequest; parts is its
	// body, which must be finished for the connection to be reused.
	partsReq bool
	parts    BodyWriter
}

// NewClientConn wraps an upstream connection, taking buffers from the pool.
// Close (or Detach) returns them.
func (p *Pool) NewClientConn(conn net.Conn) *ClientConn {
	c := &ClientConn{pool: p, wire: wire{conn: conn}}
	c.br = p.getReader(&c.wire)
	c.bw = p.getWriter(&c.wire)
	c.body.maxHead, c.body.maxFields = p.cfg.MaxHeadBytes, p.cfg.MaxHeaders
	return c
}

// Conn returns the wrapped connection (for deadlines and addresses).
func (c *ClientConn) Conn() net.Conn { return c.wire.conn }

// Progress returns the bytes read and written on the connection so far. It
// may be called from any goroutine: a change means the connection moved.
func (c *ClientConn) Progress() uint64 { return c.wire.progress() }

// WriteRequest writes req's head, rewritten by ed (nil: no rewrite), and its
// body, then flushes. The body comes from BufferBody's buffer and then, for
// whatever was not buffered, from the downstream connection req was read
// from; a 100 Continue is sent to the client when its body is first needed.
// It returns ErrNotReplayable when an earlier attempt already streamed part
// of the body, ErrNotReusable when the connection's last exchange did not
// leave it Reusable, ErrBadRewrite when ed's Host or path would not make a
// valid request, an *IOError naming the failing side, or a downstream
// *Error for a malformed request body. After an upstream write error, when
// ResponseStarted is true the upstream answered early (say 413, then
// closed): ReadResponse can still read that answer to relay it.
func (c *ClientConn) WriteRequest(req *Request, ed *RequestEdit) error {
	if c.detached {
		return ErrDetached
	}
	if req.streamed {
		return ErrNotReplayable
	}
	if c.exchanges > 0 && !c.Reusable() {
		return ErrNotReusable
	}
	if ed != nil && !ed.valid() {
		return ErrBadRewrite
	}
	c.exchanges++
	c.readMark, c.final, c.resp, c.earlyResponse = c.wire.read.Load(), false, nil, false
	c.partsReq = false
	c.closeAfter = c.closeAfter || ed != nil && ed.Close
	c.scratch = AppendRequestHead(c.scratch[:0], req, ed)
	if err := c.writeRequest(req); err != nil {
		c.broken = true
		if errorSide(err) == Upstream {
			c.earlyResponse, _ = peek(c.wire.conn)
		}
		return err
	}
	return nil
}

func (c *ClientConn) writeRequest(req *Request) error {
	c.enc.init(c.bw, req.framing, Upstream)
	if _, err := c.bw.Write(c.scratch); err != nil {
		return c.enc.err(err)
	}
	if req.HasBody() {
		if err := c.writeRequestBody(req); err != nil {
			return err
		}
	}
	return c.enc.flush()
}

func (c *ClientConn) writeRequestBody(req *Request) error {
	if req.body != nil {
		if err := c.enc.write(*req.body); err != nil {
			return err
		}
	}
	if !req.bodyDone {
		src := req.src
		if src == nil || src.detached {
			return ErrNotReplayable
		}
		req.streamed = true
		d := &src.body
		d.flush, d.flushSide = c.bw, Upstream
		err := relay(d, &c.enc)
		d.flush = nil
		if err != nil {
			return err
		}
	}
	return c.enc.finish(&req.trailers)
}

// ReadResponse reads the next response head for req into resp; req's method
// and upgrade request decide the body rules (HEAD, CONNECT, 101); a nil req
// is taken as a GET. Interim
// responses (resp.Interim) are returned too; read again for the final one.
// Errors: *IOError (Side Upstream; wraps io.EOF when the upstream closed
// before any byte, see RetrySafe) or *Error (Side Upstream) for a bad head.
func (c *ClientConn) ReadResponse(resp *Response, req *Request) error {
	head, connect, upgrade := false, false, false
	if req != nil {
		head, connect, upgrade = req.IsMethod("HEAD"), req.IsMethod("CONNECT"), req.upgrade != nil
	}
	return c.readResponse(resp, head, connect, upgrade)
}

func (c *ClientConn) readResponse(resp *Response, head, connect, upgrade bool) error {
	if c.detached {
		return ErrDetached
	}
	resp.reset()
	raw, err := readHead(c.br, resp.raw[:0], c.pool.cfg.MaxHeadBytes, headResponse, Upstream)
	resp.raw = raw
	if err == nil {
		err = resp.parse(c.pool.cfg.MaxHeaders, head, connect, upgrade)
	}
	if err != nil {
		c.broken = true
		if errors.Is(err, io.EOF) {
			err = &IOError{Side: Upstream, Op: "read", Err: io.EOF}
		}
		return err
	}
	resp.src, c.resp = c, resp
	c.body.init(c.br, resp.framing, resp.contentLength, Upstream)
	c.body.trailers, c.body.trailerRaw = &resp.trailers, &resp.trailerRaw
	if !resp.Interim() {
		c.final = true
		c.closeAfter = c.closeAfter || resp.close || resp.tunnel
	}
	return nil
}
