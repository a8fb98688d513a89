// Package httpconn is the proxy's HTTP connection manager: it takes accepted
// connections of an HTTP listener, tells HTTP/2's preface from HTTP/1.1,
// serves HTTP/1.1 on the http1 codec with the whole exchange (request in,
// upstream round trip, response out) on the connection's own goroutine, and
// hands HTTP/2 connections to the h2 package's server.
package httpconn

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/h2"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/router"
)

// Manager serves the connections of one HTTP listener. Its state pointer is
// swapped on config updates; every request loads it once.
type Manager struct {
	state  *atomic.Pointer[router.Listener]
	codec  *http1.Pool
	logger *slog.Logger

	h2srv   *http.Server
	h2conns *connListener

	draining atomic.Bool
	mu       sync.Mutex
	conns    map[*conn]struct{}
	wg       sync.WaitGroup // ServeConn calls in progress
	// stopped closes when Drain is done; it stops the timeouts' watchdog.
	stopped  chan struct{}
	stopOnce sync.Once
}

// New returns a Manager for the listener whose state st points to.
func New(st *atomic.Pointer[router.Listener], codec *http1.Pool, logger *slog.Logger) *Manager {
	m := &Manager{state: st, codec: codec, logger: logger, conns: make(map[*conn]struct{}), stopped: make(chan struct{})}
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	m.h2conns = newConnListener()
	m.h2srv = &http.Server{
		Handler:     &h2.Handler{State: st, Logger: logger},
		Protocols:   &protos,
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
		HTTP2:       &http.HTTP2Config{MaxConcurrentStreams: 1000},
		IdleTimeout: IdleTimeout,
		// The listener's max_request_headers_kb when the socket was bound.
		MaxHeaderBytes: int(st.Load().HCM.MaxRequestHeadersKB) << 10,
	}
	return m
}

// Run serves the HTTP/2 connections handed over by ServeConn and enforces
// the stream timeouts of HTTP/1.1 connections until Drain or Close is done.
func (m *Manager) Run() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.watchdog(m.stopped)
	}()
	defer wg.Wait()
	err := m.h2srv.Serve(m.h2conns)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		m.logger.Error("http/2 server stopped", "error", err)
	}
}

// Serve serves an accepted connection on a goroutine of its own, owned by the
// manager (Drain waits for it). Call it from the accept loop only, and never
// after Drain started.
func (m *Manager) Serve(ctx context.Context, nc net.Conn) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.serveConn(ctx, nc)
	}()
}

func (m *Manager) serveConn(ctx context.Context, nc net.Conn) {
	hcm := m.state.Load().HCM
	sc := m.codec.NewServerConn(nc)
	sc.SetMaxHeadBytes(int(hcm.MaxRequestHeadersKB) << 10)
	// Tracked from the start, idle until its first request: a client that
	// never sends a byte is closed by Drain and the idle sweep like any.
	c := &conn{m: m, sc: sc}
	m.track(c)
	if !c.setIdle(true) {
		m.untrack(c)
		sc.Close()
		return
	}
	if hcm.Codec != listener.CodecHTTP1 { // HTTP1: a preface is just a bad request (505)
		isH2, err := sc.IsHTTP2Preface()
		switch {
		case err != nil:
			m.untrack(c)
			sc.Close()
			return
		case isH2:
			m.untrack(c)
			m.handH2(sc)
			return
		case hcm.Codec == listener.CodecHTTP2:
			defer m.untrack(c)
			refuseHTTP1(sc)
			return
		}
	}
	defer m.untrack(c)
	c.serve(ctx)
}

// handH2 gives a connection that opened with the HTTP/2 preface to the
// HTTP/2 server.
func (m *Manager) handH2(sc *http1.ServerConn) {
	c, pending := sc.Detach()
	if !m.h2conns.hand(&prefixConn{Conn: c, pending: pending}) {
		c.Close()
	}
}

// drainGrace is how long a connection accepted as the drain began has to
// send its request (it was most likely sent already).
const drainGrace = time.Second

// track adds c to the connections Drain and the idle sweep look after. One
// accepted just as the drain began is served a request (with Connection:
// close) if it sends one within drainGrace.
func (m *Manager) track(c *conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.draining.Load() {
		c.sc.Conn().SetReadDeadline(time.Now().Add(drainGrace))
	}
	m.conns[c] = struct{}{}
}

func (m *Manager) untrack(c *conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.conns, c)
}

// Drain stops the listener's connections gracefully: HTTP/1.1 connections
// waiting for a request close, busy ones close after their current response
// (sent with Connection: close), HTTP/2 connections get GOAWAY and close when
// their streams end. It returns when every connection is gone or ctx ends,
// then closes whatever is left.
func (m *Manager) Drain(ctx context.Context) {
	m.draining.Store(true)
	m.mu.Lock()
	for c := range m.conns {
		c.closeIfIdle()
	}
	m.mu.Unlock()
	h2done := make(chan struct{})
	go func() {
		defer close(h2done)
		if m.h2srv.Shutdown(ctx) != nil {
			m.h2srv.Close()
		}
	}()
	h1done := make(chan struct{})
	go func() {
		defer close(h1done)
		m.wg.Wait()
	}()
	select {
	case <-h1done:
	case <-ctx.Done():
		m.closeAll()
		<-h1done
	}
	<-h2done
	m.stopOnce.Do(func() { close(m.stopped) })
}

// Close stops everything now.
func (m *Manager) Close() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Drain(ctx)
}

func (m *Manager) closeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for c := range m.conns {
		c.sc.Conn().Close()
	}
}

// IdleTimeout is how long a downstream connection may wait for its next
// request (Envoy's HTTP connection manager default).
const IdleTimeout = time.Hour

// CloseIdle closes HTTP/1.1 connections that have waited for a request
// since before cutoff (HTTP/2 ones are closed by the HTTP/2 server's own
// idle timeout). The listener manager calls it periodically with
// now - IdleTimeout.
func (m *Manager) CloseIdle(cutoff time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for c := range m.conns {
		c.closeIfIdleSince(cutoff)
	}
}

// Draining reports whether the manager is draining.
func (m *Manager) Draining() bool { return m.draining.Load() }
