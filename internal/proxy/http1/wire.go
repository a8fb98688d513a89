package http1

import (
	"net"
	"sync/atomic"
)

// wire is the net.Conn under a connection's bufio reader and writer. It counts
// bytes so the codec can tell whether anything arrived from a peer since a
// point in time (the retry-on-stale-connection rule) and whether any response
// byte left for the client (whether a 502 can still be sent). The counters
// are atomic so a watchdog on another goroutine can see the connection make
// progress (Progress); each is written by one goroutine only.
type wire struct {
	conn    net.Conn
	read    atomic.Int64
	written atomic.Int64
}

func (w *wire) Read(p []byte) (int, error) {
	n, err := w.conn.Read(p)
	w.read.Store(w.read.Load() + int64(n))
	return n, err
}

func (w *wire) Write(p []byte) (int, error) {
	n, err := w.conn.Write(p)
	w.written.Store(w.written.Load() + int64(n))
	return n, err
}

// progress is the number of bytes moved either way so far.
func (w *wire) progress() uint64 { return uint64(w.read.Load() + w.written.Load()) }
