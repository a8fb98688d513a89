package http1

import (
	"errors"
	"io"
	"net"
	"time"
)

func errEOF() error { return io.EOF }

// WriteLocal writes a response the proxy makes itself (route not found, no
// healthy upstream, a 400 for a bad head, a direct response): status, the
// edits, Content-Type when non-empty, Content-Length and body (omitted for
// HEAD, 1xx, 204 and 304), then flushes. After a bad head (no current
// request) the response asks the client to close.
func (c *ServerConn) WriteLocal(status int, ed *ResponseEdit, contentType string, body []byte) error {
	if c.detached {
		return ErrDetached
	}
	minor, head := uint8(1), false
	if c.req != nil {
		minor, head = c.req.minor, c.req.IsMethod("HEAD")
	}
	closeAfter := c.wantClose(ed)
	c.closeAfter, c.mark = closeAfter, c.wire.written.Load()
	withBody := status >= 200 && status != 204 && status != 304
	dst := appendStatusLine(c.scratch[:0], status, statusText(status))
	if ed != nil {
		dst = appendEdits(dst, ed.Headers)
		dst = append(dst, ed.Extra...)
	}
	if withBody && contentType != "" && validValueString(contentType) {
		dst = appendFieldString(dst, "Content-Type", contentType)
	}
	if withBody {
		dst = appendContentLength(dst, int64(len(body)))
	}
	dst = appendConnection(dst, closeAfter, minor)
	c.scratch = append(dst, '\r', '\n')
	c.bw.Write(c.scratch)
	if withBody && !head {
		c.bw.Write(body)
	}
	if err := c.bw.Flush(); err != nil {
		c.closeAfter = true
		return &IOError{Side: Downstream, Op: "write", Err: err}
	}
	return nil
}

func appendConnection(dst []byte, closeAfter bool, minor uint8) []byte {
	if closeAfter {
		return append(dst, "Connection: close\r\n"...)
	}
	if minor == 0 {
		return append(dst, "Connection: keep-alive\r\n"...)
	}
	return dst
}

// Detach hands the connection over, e.g. to splice a tunnel after a 101 or to
// serve HTTP/2 after IsHTTP2Preface: it returns the connection and a copy of
// the bytes already read from it but not consumed (send or parse those
// first). The ServerConn's buffers go back to the pool; it cannot be used
// again.
func (c *ServerConn) Detach() (net.Conn, []byte) {
	if c.detached {
		return c.wire.conn, nil
	}
	c.closeReader()
	var pending []byte
	if n := c.br.Buffered(); n > 0 {
		p, _ := c.br.Peek(n)
		pending = append([]byte(nil), p...)
	}
	c.release()
	return c.wire.conn, pending
}

func (c *ServerConn) release() {
	c.detached = true
	c.pool.putReader(c.br)
	c.pool.putWriter(c.bw)
	c.br, c.bw, c.req = nil, nil, nil
}

// Close closes the connection and returns the buffers. When the client may
// still be sending a request body the proxy did not read, it first shuts the
// write side and drains for up to Config.LingerTimeout/LingerBytes, so the
// client reads the response instead of a connection reset.
func (c *ServerConn) Close() error {
	if c.detached {
		return nil
	}
	c.closeReader()
	linger := c.badHead || c.req != nil && !c.body.done()
	if c.req != nil && c.req.body != nil {
		c.pool.putBody(c.req.body)
		c.req.body, c.req.bodyDone = nil, false
	}
	c.release()
	if linger {
		c.linger()
	}
	return c.wire.conn.Close()
}

func (c *ServerConn) linger() {
	cw, ok := c.wire.conn.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.wire.conn.SetReadDeadline(time.Now().Add(c.pool.cfg.LingerTimeout))
	var buf [4096]byte
	for left := c.pool.cfg.LingerBytes; left > 0; {
		n, err := c.wire.conn.Read(buf[:])
		left -= int64(n)
		if err != nil {
			return
		}
	}
}

// IsHTTP2Preface reports whether the client opened with the HTTP/2
// prior-knowledge preface. Call it before the first ReadRequest; on true,
// Detach and hand the connection and pending bytes to an HTTP/2 server.
func (c *ServerConn) IsHTTP2Preface() (bool, error) {
	const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	p, err := c.br.Peek(3)
	if err != nil {
		return false, headReadErr(err, Downstream, len(p) > 0)
	}
	if string(p) != "PRI" {
		return false, nil
	}
	p, err = c.br.Peek(len(preface))
	if err != nil && !errors.Is(err, io.EOF) {
		return false, &IOError{Side: Downstream, Op: "read", Err: err}
	}
	return string(p) == preface, nil
}
