package upstream

import (
	"context"
	"net"
	"sync"

	"github.com/loom-mesh/loom/internal/proxy/rawio"
)

// DialTCP opens a plain TCP connection to h for the TCP proxy, within the
// cluster's connection limit and connect timeout. Closing it frees the slot.
func (c *Cluster) DialTCP(ctx context.Context, h *Host) (net.Conn, error) {
	return c.dial(ctx, h.Addr.String())
}

// dial opens a connection to addr counted against max_connections: the
// slot is taken here and given back when the connection closes.
func (c *Cluster) dial(ctx context.Context, addr string) (net.Conn, error) {
	if !c.acquireConn() {
		c.Stats.CxOverflow.Inc()
		return nil, ErrOverflow
	}
	return c.dialReserved(ctx, addr)
}

// dialReserved is dial for a caller that already holds a connection slot.
func (c *Cluster) dialReserved(ctx context.Context, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.connectTimeout())
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		c.releaseConn()
		c.Stats.CxConnectFail.Inc()
		return nil, &ConnectError{Host: addr, Err: err}
	}
	rc, err := rawio.New(nc.(*net.TCPConn))
	if err != nil {
		nc.Close()
		c.releaseConn()
		return nil, &ConnectError{Host: addr, Err: err}
	}
	c.Stats.CxTotal.Inc()
	c.Stats.CxActive.Inc()
	return &countedConn{Conn: rc, c: c}, nil
}

// countedConn gives the cluster's connection slot back when it closes.
type countedConn struct {
	*rawio.Conn
	c    *Cluster
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.c.releaseConn()
		c.c.Stats.CxActive.Dec()
	})
	return c.Conn.Close()
}
