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
	return c.dial(ctx, h)
}

// dial opens a connection to h counted against max_connections: the slot is
// taken here and given back when the connection closes.
func (c *Cluster) dial(ctx context.Context, h *Host) (net.Conn, error) {
	if !c.reserveConn(h) {
		c.Stats.CxOverflow.Inc()
		return nil, ErrOverflow
	}
	return c.dialReserved(ctx, h)
}

// reserveConn takes a connection slot for h. A host with no connection at
// all gets one even when the cluster is at max_connections (as Envoy does):
// otherwise idle connections to other hosts could hold every slot and the
// load balancer's pick would wait out the connect timeout and fail.
func (c *Cluster) reserveConn(h *Host) bool {
	if c.acquireConn() {
		h.conns.Add(1)
		return true
	}
	// Only the first of concurrent dials to a host with none may pass.
	if !h.conns.CompareAndSwap(0, 1) {
		return false
	}
	c.conns.Add(1)
	return true
}

// releaseConnOf gives back a slot taken by reserveConn.
func (c *Cluster) releaseConnOf(h *Host) {
	h.conns.Add(-1)
	c.releaseConn()
}

// dialReserved is dial for a caller that already holds a slot for h.
func (c *Cluster) dialReserved(ctx context.Context, h *Host) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.connectTimeout())
	defer cancel()
	var d net.Dialer
	addr := h.Addr.String()
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		c.releaseConnOf(h)
		c.Stats.CxConnectFail.Inc()
		return nil, &ConnectError{Host: addr, Err: err}
	}
	rc, err := rawio.New(nc.(*net.TCPConn))
	if err != nil {
		nc.Close()
		c.releaseConnOf(h)
		return nil, &ConnectError{Host: addr, Err: err}
	}
	c.Stats.CxTotal.Inc()
	c.Stats.CxActive.Inc()
	return &countedConn{Conn: rc, c: c, h: h}, nil
}

// countedConn gives the connection slot back when it closes.
type countedConn struct {
	*rawio.Conn
	c    *Cluster
	h    *Host
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.c.releaseConnOf(c.h)
		c.c.Stats.CxActive.Dec()
	})
	return c.Conn.Close()
}
