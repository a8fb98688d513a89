// Package rawio reads and writes TCP sockets without the Go runtime's
// blocking-syscall bookkeeping. net.Conn's Read and Write enter the scheduler's
// syscall state around every read(2) and write(2) — which, whenever the
// process was idle, first wakes the sysmon thread — although the socket is
// non-blocking and the call never blocks. For a proxy at moderate load (every
// request arriving at an idle process) those wakeups cost as much CPU as the
// proxying itself. Conn issues the same non-blocking calls as raw system
// calls and still waits in the netpoller (with deadlines and Close honoured)
// when the socket is not ready.
package rawio

import (
	"errors"
	"io"
	"net"
	"syscall"
)

// Conn is a *net.TCPConn whose Read and Write bypass the syscall state. All
// other methods are the TCPConn's. One goroutine reads and one writes at a
// time, as for any net.Conn used by a proxy.
type Conn struct {
	*net.TCPConn
	raw syscall.RawConn
	r   op
	w   op
}

// op is one direction's pending call: the buffer and its result, kept in
// the Conn so the callbacks handed to RawConn allocate nothing per call.
type op struct {
	buf  []byte
	n    int
	err  error
	call func(fd uintptr) bool
}

// New returns c with raw reads and writes. The error is SyscallConn's
// (never for an open TCP connection).
func New(c *net.TCPConn) (*Conn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	rc := &Conn{TCPConn: c, raw: raw}
	rc.r.call = rc.doRead
	rc.w.call = rc.doWrite
	return rc, nil
}

// Read reads like net.Conn.Read.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.r.buf, c.r.n, c.r.err = p, 0, nil
	if err := c.raw.Read(c.r.call); err != nil {
		return 0, opError("read", c, err)
	}
	n, err := c.r.n, c.r.err
	c.r.buf = nil
	return n, err
}

func (c *Conn) doRead(fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(bufPtr(c.r.buf)), uintptr(len(c.r.buf)))
		switch errno {
		case 0:
			c.r.n = int(n)
			if n == 0 {
				c.r.err = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait in the netpoller
		}
		c.r.err = opError("read", c, errno)
		return true
	}
}

// Write writes all of p like net.Conn.Write.
func (c *Conn) Write(p []byte) (int, error) {
	c.w.buf, c.w.n, c.w.err = p, 0, nil
	if err := c.raw.Write(c.w.call); err != nil {
		n := c.w.n
		c.w.buf = nil
		return n, opError("write", c, err)
	}
	n, err := c.w.n, c.w.err
	c.w.buf = nil
	return n, err
}

func (c *Conn) doWrite(fd uintptr) bool {
	for c.w.n < len(c.w.buf) {
		rest := c.w.buf[c.w.n:]
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(bufPtr(rest)), uintptr(len(rest)))
		switch errno {
		case 0:
			c.w.n += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait until writable
		default:
			c.w.err = opError("write", c, errno)
			return true
		}
	}
	return true
}

// opError wraps errors as net.Conn's do, so callers that check for
// timeouts (net.Error) or net.ErrClosed keep working.
func opError(op string, c *Conn, err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return err
	}
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
