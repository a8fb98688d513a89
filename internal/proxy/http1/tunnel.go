package http1

import (
	"io"
	"net"
)

// Tunnel splices two detached connections after an upgrade or CONNECT:
// first it delivers the bytes each side had sent past the handshake
// (downPending goes up, upPending goes down), then copies both ways until
// both directions end. When one direction ends it half-closes the receiving
// side (CloseWrite) so the other direction can finish. It runs the
// upstream-to-downstream copy on a goroutine it waits for, closes both
// connections, and returns the bytes copied each way and the first error
// other than a normal end of stream.
func Tunnel(down, up net.Conn, downPending, upPending []byte) (toUp, toDown int64, err error) {
	done := make(chan copyResult, 1)
	go func() {
		n, err := pipe(down, up, upPending)
		if err != nil {
			up.Close()
			down.Close()
		}
		done <- copyResult{n, err}
	}()
	toUp, err = pipe(up, down, downPending)
	if err != nil {
		// Unblock the other direction.
		up.Close()
		down.Close()
	}
	r := <-done
	up.Close()
	down.Close()
	if err == nil {
		err = r.err
	}
	return toUp, r.n, err
}

type copyResult struct {
	n   int64
	err error
}

// pipe writes pending then copies src to dst, and half-closes dst at the end.
func pipe(dst, src net.Conn, pending []byte) (int64, error) {
	var n int64
	if len(pending) > 0 {
		m, err := dst.Write(pending)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	m, err := io.Copy(dst, src)
	n += m
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	return n, err
}
