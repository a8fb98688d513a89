package server

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/httpconn"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/rawio"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/tcpproxy"
)

// handler serves a listener's accepted connections and owns them.
type handler interface {
	Serve(ctx context.Context, c net.Conn)
	Drain(ctx context.Context)
}

// active is a bound listener: its socket, accept loop and handler. Its
// config swaps atomically; the socket stays.
type active struct {
	cfg        *listener.Config
	ln         net.Listener
	stats      *stats.Listener
	httpState  atomic.Pointer[router.Listener]
	tcpState   atomic.Pointer[tcpproxy.State]
	h          handler
	acceptDone chan struct{}
	wg         sync.WaitGroup // the HTTP/2 server loop
}

// sameSocket reports whether b can take over a's socket and handler: same
// address, same kind of filter chain.
func sameSocket(a, b *listener.Config) bool {
	return a.Address == b.Address && (a.Chain.HTTP != nil) == (b.Chain.HTTP != nil)
}

// start binds the listener and starts accepting.
func (s *Server) start(cfg *listener.Config, hs *router.Listener, ts *tcpproxy.State) (*active, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", cfg.Address.String())
	if err != nil {
		s.Stats.Listener(cfg.Name).BindErrors.Inc()
		return nil, err
	}
	a := &active{cfg: cfg, ln: ln, stats: s.Stats.Listener(cfg.Name), acceptDone: make(chan struct{})}
	if cfg.Chain.HTTP != nil {
		a.httpState.Store(hs)
		m := httpconn.New(&a.httpState, s.Codec, s.Logger.With("listener", cfg.Name))
		a.h = m
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			m.Run()
		}()
	} else {
		a.tcpState.Store(ts)
		a.h = tcpproxy.New(&a.tcpState, s.Logger.With("listener", cfg.Name))
	}
	go func() {
		defer close(a.acceptDone)
		s.acceptLoop(a)
	}()
	return a, nil
}

func (s *Server) acceptLoop(a *active) {
	var delay time.Duration
	for {
		c, err := a.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off, keep serving.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.Logger.Warn("accept failed", "listener", a.cfg.Name, "error", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		a.stats.CxTotal.Inc()
		a.stats.CxActive.Inc()
		rc, err := rawio.New(c.(*net.TCPConn))
		if err != nil {
			c.Close()
			continue
		}
		a.h.Serve(s.connCtx, &countedConn{Conn: rc, st: a.stats})
	}
}

// closeSocket stops accepting and waits for the accept loop to end, so no
// connection reaches the handler after this.
func (a *active) closeSocket() {
	a.ln.Close()
	<-a.acceptDone
}

// stop closes the socket and drains the handler within ctx.
func (a *active) stop(ctx context.Context) {
	a.closeSocket()
	a.h.Drain(ctx)
	a.wg.Wait()
}

// countedConn keeps the listener's active connection gauge.
type countedConn struct {
	*rawio.Conn
	st   *stats.Listener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.st.CxActive.Dec()
		c.st.CxDestroy.Inc()
	})
	return c.Conn.Close()
}
