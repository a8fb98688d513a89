// Package tcpproxy is the proxy's TCP path (envoy.filters.network.tcp_proxy):
// each accepted connection is joined to a connection to one endpoint of the
// listener's cluster, bytes flow both ways with half-close, and idle
// connections are closed after the configured timeout.
package tcpproxy

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// defaultIdleTimeout is Envoy's tcp_proxy idle timeout.
const defaultIdleTimeout = time.Hour

// maxConnectAttempts bounds the hosts tried for one downstream connection.
const maxConnectAttempts = 3

// State is a TCP listener's config: swapped atomically, loaded per connection.
type State struct {
	// Cluster is nil when the named cluster does not exist (yet).
	Cluster     *upstream.Cluster
	ClusterName string
	IdleTimeout time.Duration
	Listener    *stats.Listener
}

// Proxy serves one TCP listener's connections and owns their goroutines.
type Proxy struct {
	state  *atomic.Pointer[State]
	logger *slog.Logger
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// New returns a Proxy reading its config from st.
func New(st *atomic.Pointer[State], logger *slog.Logger) *Proxy {
	return &Proxy{state: st, logger: logger, conns: make(map[net.Conn]struct{})}
}

// Serve proxies an accepted connection on a goroutine the Proxy owns. Call it
// from the accept loop only.
func (p *Proxy) Serve(ctx context.Context, down net.Conn) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.track(down, true)
		defer p.track(down, false)
		defer down.Close()
		p.serve(ctx, down)
	}()
}

func (p *Proxy) serve(ctx context.Context, down net.Conn) {
	st := p.state.Load()
	if st.Cluster == nil {
		p.logger.Debug("tcp proxy: cluster not found", "cluster", st.ClusterName)
		return
	}
	up, err := p.connect(ctx, st.Cluster)
	if err != nil {
		p.logger.Debug("tcp proxy: upstream connect failed", "cluster", st.ClusterName, "error", err)
		return
	}
	defer up.Close()
	p.track(up, true)
	defer p.track(up, false)
	idle := st.IdleTimeout
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	sent, received := Splice(down, up, idle)
	st.Cluster.Stats.BytesSent.Add(uint64(sent))
	st.Cluster.Stats.BytesReceived.Add(uint64(received))
}

// connect dials an endpoint, trying other hosts when one refuses.
func (p *Proxy) connect(ctx context.Context, c *upstream.Cluster) (net.Conn, error) {
	var tried []*upstream.Host
	var lastErr error
	for i := 0; i < maxConnectAttempts; i++ {
		h, err := c.Pick(tried)
		if err != nil {
			return nil, err
		}
		if len(tried) > 0 && tried[len(tried)-1] == h {
			break // no other host to try
		}
		tried = append(tried, h)
		conn, err := c.DialTCP(ctx, h)
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

// Drain lets open connections run until ctx ends, then closes them, and
// returns once every connection goroutine is done.
func (p *Proxy) Drain(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.wg.Wait()
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	<-done
}
