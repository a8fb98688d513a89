// Package server is the proxy's listener manager: it applies each config
// snapshot atomically — new listeners bind, removed ones stop accepting and
// drain, changed ones keep their socket and swap their config — and drains
// everything on shutdown.
package server

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/httpconn"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/tcpproxy"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// retryBindPeriod is how often listeners that could not bind are retried.
const retryBindPeriod = time.Second

// idleCheckPeriod is how often idle downstream connections are looked for.
const idleCheckPeriod = time.Minute

// Options configure a Server.
type Options struct {
	Logger   *slog.Logger
	Codec    *http1.Pool
	Stats    *stats.Store
	Clusters *upstream.Manager
	// DrainTimeout bounds how long removed listeners and shutdown wait for
	// requests in flight.
	DrainTimeout time.Duration
}

// Server owns the proxy's listeners. It implements snapshot.Sink.
type Server struct {
	Options
	connCtx    context.Context // lives until shutdown drained: connections outlive Run's ctx
	cancelConn context.CancelFunc

	mu        sync.Mutex
	listeners map[string]*active
	pending   map[string]*listener.Config // warming (no routes yet) or failed to bind
	bindErrs  map[string]bindFailure      // the pending ones that failed to bind
	tables    map[*route.Config]*route.Table
	snap      *snapshot.Snapshot
	applied   atomic.Bool
	draining  atomic.Bool
	drained   int            // drainedNone, drainedInbound or drainedAll (guarded by mu)
	stopping  sync.WaitGroup // drains of removed listeners
}

var _ snapshot.Sink = (*Server)(nil)

// New returns a Server with no listeners.
func New(o Options) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		Options:    o,
		connCtx:    ctx,
		cancelConn: cancel,
		listeners:  make(map[string]*active),
		pending:    make(map[string]*listener.Config),
		tables:     make(map[*route.Config]*route.Table),
	}
}

// Snapshot returns the last applied snapshot (nil before the first).
func (s *Server) Snapshot() *snapshot.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

// Run retries failed binds until ctx ends, then drains: every listener stops
// accepting, requests in flight get DrainTimeout to finish, then whatever is
// left is closed. Run returns when every connection is gone.
func (s *Server) Run(ctx context.Context) {
	tick := time.NewTicker(retryBindPeriod)
	defer tick.Stop()
	lastIdleCheck := time.Now()
	for {
		select {
		case <-ctx.Done():
			s.shutdown()
			return
		case now := <-tick.C:
			s.retryPending()
			if now.Sub(lastIdleCheck) >= idleCheckPeriod {
				lastIdleCheck = now
				s.closeIdle(now)
			}
		}
	}
}

// shutdown drains inbound listeners first while outbound ones keep serving
// (their clusters still take endpoint updates), as Istio drains a sidecar:
// an app finishing its in-flight requests can still call out. Once inbound
// connections are gone the outbound listeners drain too, within what is
// left of the same drain timeout (none, if inbound used it all).
func (s *Server) shutdown() {
	s.draining.Store(true)
	s.mu.Lock()
	all := s.listeners
	s.listeners = map[string]*active{}
	s.mu.Unlock()
	var inbound, outbound []*active
	for _, a := range all {
		if a.cfg.Direction == listener.Inbound {
			inbound = append(inbound, a)
		} else {
			outbound = append(outbound, a)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.DrainTimeout)
	defer cancel()
	stopAll(ctx, inbound)
	stopAll(ctx, outbound)
	s.stopping.Wait()
	s.cancelConn()
}

// stopAll closes the listeners' sockets, then drains them in parallel.
func stopAll(ctx context.Context, listeners []*active) {
	for _, a := range listeners {
		a.closeSocket() // stop accepting on all first
	}
	var wg sync.WaitGroup
	for _, a := range listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.stop(ctx)
		}()
	}
	wg.Wait()
}

// drainLater stops a removed listener on a goroutine the Server owns.
func (s *Server) drainLater(a *active) {
	s.stopping.Add(1)
	go func() {
		defer s.stopping.Done()
		ctx, cancel := context.WithTimeout(context.Background(), s.DrainTimeout)
		defer cancel()
		a.stop(ctx)
	}()
}

// Draining reports whether shutdown started.
func (s *Server) Draining() bool { return s.draining.Load() }

// Addr returns the address a listener is bound to (for tests using port 0).
func (s *Server) Addr(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.listeners[name]; a != nil {
		return a.ln.Addr().String()
	}
	return ""
}

// closeIdle closes downstream HTTP/1.1 connections idle past their timeout.
func (s *Server) closeIdle(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.listeners {
		if m, ok := a.h.(interface{ CloseIdle(time.Time) }); ok {
			m.CloseIdle(now.Add(-httpconn.IdleTimeout))
		}
	}
}

func (s *Server) retryPending() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap == nil || s.draining.Load() || len(s.pending) == 0 {
		return
	}
	s.applyListeners(s.snap)
}

// tcpOrHTTP builds a listener's data-path state; ok is false while it warms.
func (c *compiler) state(cfg *listener.Config) (*router.Listener, *tcpproxy.State, bool) {
	if cfg.Chain.HTTP != nil {
		hs, ok := c.httpState(cfg)
		return hs, nil, ok
	}
	return nil, c.tcpState(cfg), true
}
