package http1

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBodyClosed is returned by BodyReader.Read after Close.
var ErrBodyClosed = errors.New("http1: body reader closed")

// BodyReader reads one message body, decoded (no chunk framing), as an
// io.Reader: the request body on the server side (ServerConn.RequestBody)
// or the response body on the client side (ClientConn.ResponseBody). Once
// Read returns io.EOF, the message's Trailers hold its trailer fields.
//
// It is for bodies relayed to or from another protocol's stream (HTTP/2),
// whose client may read from a goroutine of its own: one goroutine may Read
// while the connection's owner writes the other direction, and Close, from
// any goroutine, ends that use so the owner can take the connection back.
type BodyReader struct {
	d      *decoder
	conn   net.Conn
	prefix []byte   // what BufferBody kept of a request body, sent first
	req    *Request // server side: the request whose body this is
	mu     sync.Mutex
	err    error // terminal: io.EOF at the end
	done   atomic.Bool
	closed atomic.Bool
}

// Read reads decoded body bytes. It returns io.EOF at the end of the body,
// ErrBodyClosed after Close, and otherwise the *IOError or *Error of the
// side that sent the body (a malformed chunk, a closed connection).
func (b *BodyReader) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed.Load():
		return 0, ErrBodyClosed
	case len(b.prefix) > 0:
		n := copy(p, b.prefix)
		b.prefix = b.prefix[n:]
		return n, nil
	case b.err != nil:
		return 0, b.err
	case len(p) == 0:
		return 0, nil
	}
	data, err := b.d.next()
	if len(data) > 0 {
		if b.req != nil {
			b.req.streamed = true
		}
		n := copy(p, data)
		b.d.advance(n)
		return n, nil
	}
	if errors.Is(err, io.EOF) {
		b.done.Store(true)
	}
	b.err = err
	return 0, err
}

// Done reports whether the whole body (and its trailers) has been read.
func (b *BodyReader) Done() bool { return b.done.Load() }

// Err returns the error that ended the body: nil while it is being read or
// after it ended normally, else the read error (a downstream *Error for a
// malformed request body, an *IOError when the peer went away). Call it
// after Close to learn why a relay failed.
func (b *BodyReader) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if errors.Is(b.err, io.EOF) {
		return nil
	}
	return b.err
}

// Close ends the reader's use of the connection: a Read blocked on it is
// interrupted (a read deadline in the past) and awaited, and later Reads
// return ErrBodyClosed. A body not read to its end leaves the connection
// unable to carry another message. Close is safe to call more than once and
// from any goroutine.
func (b *BodyReader) Close() error {
	b.closed.Store(true)
	interrupted := false
	if !b.mu.TryLock() {
		b.conn.SetReadDeadline(longAgo)
		b.mu.Lock()
		interrupted = true
	}
	defer b.mu.Unlock()
	if interrupted && b.done.Load() {
		b.conn.SetReadDeadline(time.Time{})
	}
	return nil
}

// longAgo is a deadline that has passed: setting it wakes a blocked call.
var longAgo = time.Unix(1, 0)
