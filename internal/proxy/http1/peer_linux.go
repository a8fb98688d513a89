//go:build linux

package http1

import (
	"net"
	"syscall"
)

// peek looks at the socket without blocking or consuming: whether bytes are
// waiting (data) and whether the peer closed or reset (closed). Connections
// that are not sockets report neither.
func peek(conn net.Conn) (data, closed bool) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false, false
	}
	rerr := rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n > 0:
			data = true
		case err == nil:
			closed = true // orderly shutdown: recv returned 0
		case err != syscall.EAGAIN && err != syscall.EINTR:
			closed = true
		}
		return true
	})
	return data, closed || rerr != nil
}
