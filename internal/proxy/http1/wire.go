package http1

import "net"

// wire is the net.Conn under a connection's bufio reader and writer. It counts
// bytes so the codec can tell whether anything arrived from a peer since a
// point in time (the retry-on-stale-connection rule) and whether any response
// byte left for the client (whether a 502 can still be sent).
type wire struct {
	conn    net.Conn
	read    int64
	written int64
}

func (w *wire) Read(p []byte) (int, error) {
	n, err := w.conn.Read(p)
	w.read += int64(n)
	return n, err
}

func (w *wire) Write(p []byte) (int, error) {
	n, err := w.conn.Write(p)
	w.written += int64(n)
	return n, err
}
