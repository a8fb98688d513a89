package tcpproxy

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var spliceBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// Splice copies bytes both ways between a and b until both directions end.
// When one side finishes sending (EOF), the other side's write half is shut
// (half-close), so request/response protocols that signal the end of a
// request by closing their write side keep working. When neither direction
// moves a byte for idle (0: never), both connections are closed. Splice
// closes neither connection on return; it returns the bytes copied a→b and
// b→a.
func Splice(a, b net.Conn, idle time.Duration) (aToB, bToA int64) {
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		aToB = pipe(b, a, idle, &last)
	}()
	bToA = pipe(a, b, idle, &last)
	wg.Wait()
	return aToB, bToA
}

// pipe copies src to dst, then half-closes dst. On an error other than EOF
// it closes both so the other direction ends too.
func pipe(dst, src net.Conn, idle time.Duration, last *atomic.Int64) int64 {
	bp := spliceBufs.Get().(*[]byte)
	defer spliceBufs.Put(bp)
	buf := *bp
	var n int64
	for {
		if idle > 0 {
			src.SetReadDeadline(time.Now().Add(idle))
		}
		nr, rerr := src.Read(buf)
		if nr > 0 {
			last.Store(time.Now().UnixNano())
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				abort(dst, src)
				return n
			}
		}
		switch {
		case rerr == nil:
		case errors.Is(rerr, io.EOF):
			closeWrite(dst)
			return n
		case errors.Is(rerr, os.ErrDeadlineExceeded) && time.Since(time.Unix(0, last.Load())) < idle:
			// The other direction is busy: the connection is not idle.
		default:
			abort(dst, src)
			return n
		}
	}
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}

func abort(a, b net.Conn) {
	a.Close()
	b.Close()
}
