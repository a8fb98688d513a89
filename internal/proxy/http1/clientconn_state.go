package http1

import (
	"errors"
	"io"
	"net"
)

// Reusable reports whether the connection can go back to the pool: the last
// exchange completed (final response and its whole body read), the upstream
// did not ask to close, the body was not close-delimited, no error occurred,
// and no stray byte follows the response.
func (c *ClientConn) Reusable() bool {
	return !c.detached && !c.broken && !c.closeAfter && c.final &&
		c.body.done() && c.br.Buffered() == 0 && c.partsDone()
}

// Reused reports whether the current (or last) request is not the first one
// on this connection.
func (c *ClientConn) Reused() bool { return c.exchanges > 1 }

// Requests returns how many requests were started on this connection.
func (c *ClientConn) Requests() int { return c.exchanges }

// ResponseStarted reports whether any byte arrived from the upstream since
// the current request started, including an early response that was
// waiting when writing the request failed.
func (c *ClientConn) ResponseStarted() bool {
	return c.wire.read.Load() > c.readMark || c.earlyResponse
}

// RetrySafe reports whether a failure of the current request is the
// stale-keep-alive case: the connection had served a request before and not
// one byte of response arrived, so the upstream most likely closed the idle
// connection as the request went out. Retry such a request on a fresh
// connection when it is Replayable (Istio's "503 UC" is this not being done).
func (c *ClientConn) RetrySafe() bool { return c.Reused() && !c.ResponseStarted() }

// DiscardBody reads and drops the current response body, up to max bytes,
// e.g. before retrying after a 5xx. Past max it stops and the connection is
// no longer Reusable.
func (c *ClientConn) DiscardBody(max int64) error {
	if c.detached {
		return ErrDetached
	}
	for read := int64(0); ; {
		p, err := c.body.next()
		if len(p) > 0 {
			if read += int64(len(p)); read > max {
				c.broken = true
				return nil
			}
			c.body.advance(len(p))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			c.broken = true
			return err
		}
	}
}

// PeerClosed reports, for an idle connection, whether the upstream has
// closed it or sent something unexpected (either way it must not be reused).
// On Linux it costs one non-blocking recv(MSG_PEEK); use it for connections
// that sat idle longer than a few hundred milliseconds.
func (c *ClientConn) PeerClosed() bool {
	if c.detached || c.br.Buffered() > 0 {
		return true
	}
	data, closed := peek(c.wire.conn)
	return data || closed
}

// Detach hands the connection over (after a 101 or a CONNECT 2xx): it
// returns the connection and a copy of the bytes read from it but not
// consumed. The ClientConn cannot be used again.
func (c *ClientConn) Detach() (net.Conn, []byte) {
	if c.detached {
		return c.wire.conn, nil
	}
	var pending []byte
	if n := c.br.Buffered(); n > 0 {
		p, _ := c.br.Peek(n)
		pending = append([]byte(nil), p...)
	}
	c.release()
	return c.wire.conn, pending
}

func (c *ClientConn) release() {
	c.detached = true
	c.pool.putReader(c.br)
	c.pool.putWriter(c.bw)
	c.br, c.bw, c.resp = nil, nil, nil
}

// Close closes the connection and returns the buffers.
func (c *ClientConn) Close() error {
	if c.detached {
		return nil
	}
	c.release()
	return c.wire.conn.Close()
}
