package upstream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
)

// probeAfter: an idle connection older than this is checked for a close by
// the upstream (one non-blocking peek) before it carries a request.
const probeAfter = 200 * time.Millisecond

// Errors a pool returns; the router maps them to response flags.
var (
	// ErrOverflow: the cluster's connection and pending-request limits are full.
	ErrOverflow = errors.New("upstream overflow")
	// ErrPoolClosed: the host left the cluster.
	ErrPoolClosed = errors.New("upstream host removed")
)

// ConnectError is a failure to open a connection to an upstream host.
type ConnectError struct {
	Host string
	Err  error
}

func (e *ConnectError) Error() string { return fmt.Sprintf("connect to %s: %v", e.Host, e.Err) }
func (e *ConnectError) Unwrap() error { return e.Err }

// h1Pool keeps one host's idle HTTP/1.1 connections on a LIFO stack: the most
// recently used connection is reused first, so the stack's bottom ages out
// and a burst after a quiet gap finds the freshest sockets on top.
type h1Pool struct {
	codec   *http1.Pool
	host    *Host
	cluster *Cluster
	mu      sync.Mutex
	idle    []*Conn
	waiters []chan *Conn // requests waiting for a connection; nil means "dial"
	closed  bool
}

func newH1Pool(codec *http1.Pool, h *Host, c *Cluster) *h1Pool {
	return &h1Pool{codec: codec, host: h, cluster: c}
}

// get returns an idle connection, or a new one. fresh skips idle connections
// (a replay after a reused connection failed must not meet another stale one).
func (p *h1Pool) get(ctx context.Context, fresh bool) (*Conn, error) {
	for {
		c, dial, wait, err := p.take(fresh)
		switch {
		case err != nil:
			return nil, err
		case c != nil:
			if p.usable(c) {
				return c, nil
			}
			p.discard(c)
		case dial:
			return p.dial(ctx)
		default:
			return p.await(ctx, wait)
		}
	}
}

// take pops an idle connection, or reserves a connection slot to dial, or
// enqueues a waiter when the cluster is at its connection limit.
func (p *h1Pool) take(fresh bool) (*Conn, bool, chan *Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, false, nil, ErrPoolClosed
	}
	if n := len(p.idle); n > 0 && !fresh {
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		return c, false, nil, nil
	}
	if p.cluster.reserveConn(p.host) {
		return nil, true, nil, nil
	}
	if !p.cluster.acquirePending() {
		p.cluster.Stats.RqPendingOvfl.Inc()
		return nil, false, nil, ErrOverflow
	}
	ch := make(chan *Conn, 1)
	p.waiters = append(p.waiters, ch)
	return nil, false, ch, nil
}

// await waits for a released connection or a freed slot.
func (p *h1Pool) await(ctx context.Context, ch chan *Conn) (*Conn, error) {
	defer p.cluster.releasePending()
	timer := time.NewTimer(p.cluster.connectTimeout())
	defer timer.Stop()
	select {
	case c := <-ch:
		return p.handed(ctx, c)
	case <-ctx.Done():
		if c, ok := p.cancelWait(ch); ok {
			return p.handed(ctx, c)
		}
		return nil, ctx.Err()
	case <-timer.C:
		if c, ok := p.cancelWait(ch); ok {
			return p.handed(ctx, c)
		}
		p.cluster.Stats.CxOverflow.Inc()
		return nil, ErrOverflow
	}
}

func (p *h1Pool) handed(ctx context.Context, c *Conn) (*Conn, error) {
	if c == nil {
		return p.dial(ctx) // a slot was reserved for us
	}
	return c, nil
}

// cancelWait removes ch from the waiters; when it was already served, it
// returns what was handed over so the caller uses it rather than leak it.
func (p *h1Pool) cancelWait(ch chan *Conn) (*Conn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := slices.Index(p.waiters, ch); i >= 0 {
		p.waiters = slices.Delete(p.waiters, i, i+1)
		return nil, false
	}
	return <-ch, true
}

func (p *h1Pool) dial(ctx context.Context) (*Conn, error) {
	nc, err := p.cluster.dialReserved(ctx, p.host)
	if err != nil {
		p.wakeDialer()
		return nil, err
	}
	return &Conn{ClientConn: p.codec.NewClientConn(nc), pool: p}, nil
}

// usable checks an idle connection before reuse: not past the idle timeout,
// and, when it has been idle a while, not closed by the upstream.
func (p *h1Pool) usable(c *Conn) bool {
	idle := time.Since(c.idleAt)
	if idle >= p.cluster.idleTimeout() {
		p.cluster.Stats.CxIdleTimeout.Inc()
		return false
	}
	if idle >= probeAfter && c.PeerClosed() {
		p.cluster.Stats.CxRemoteClose.Inc()
		return false
	}
	return true
}

// put returns a connection after a complete exchange.
func (p *h1Pool) put(c *Conn) {
	if max := p.cluster.maxRequestsPerConn(); max > 0 && uint32(c.Requests()) >= max {
		p.discard(c)
		return
	}
	c.idleAt = time.Now()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.discard(c)
		return
	}
	if len(p.waiters) > 0 {
		ch := p.waiters[0]
		p.waiters = slices.Delete(p.waiters, 0, 1)
		p.mu.Unlock()
		ch <- c
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// discard closes a connection (which frees its slot) and lets a waiter in.
func (p *h1Pool) discard(c *Conn) {
	c.Close()
	p.wakeDialer()
}

// wakeDialer lets the first waiter dial in a freed slot, if it can take one.
func (p *h1Pool) wakeDialer() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiters) == 0 || !p.cluster.reserveConn(p.host) {
		return
	}
	ch := p.waiters[0]
	p.waiters = slices.Delete(p.waiters, 0, 1)
	ch <- nil
}

// evict closes idle connections past the idle timeout or closed by the
// upstream. The manager's janitor calls it every second.
func (p *h1Pool) evict() {
	p.mu.Lock()
	var dead []*Conn
	kept := p.idle[:0]
	for _, c := range p.idle {
		if p.usable(c) {
			kept = append(kept, c)
		} else {
			dead = append(dead, c)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	p.mu.Unlock()
	for _, c := range dead {
		p.discard(c)
	}
}

// close closes idle connections and refuses new requests; connections in use
// close when released.
func (p *h1Pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		p.discard(c)
	}
}
