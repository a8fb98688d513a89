//go:build linux

package http1

import (
	"net"
	"syscall"
)

// peerClosed peeks at the socket without blocking: EOF or data on an idle
// connection both mean it cannot be reused. Unknown cases report false.
func peerClosed(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	rerr := rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = err == nil || err != syscall.EAGAIN && err != syscall.EINTR || n > 0
		return true
	})
	return closed || rerr != nil
}
