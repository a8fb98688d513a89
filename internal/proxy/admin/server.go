// Package admin is the proxy's admin HTTP server, shaped like Envoy's so
// tools that read Envoy's admin (istioctl proxy-config, loom proxy-config)
// work on Loom: /ready, /config_dump, /stats, /stats/prometheus, /clusters,
// /listeners, /healthcheck/fail, /healthcheck/ok, /drain_listeners and
// /quitquitquit. See docs/proxy-xds.md.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
)

// ConfigSource is the xDS client's view the admin server reads
// (*xdsclient.Client implements it).
type ConfigSource interface {
	Dump() xdsclient.Dump
	Status() xdsclient.Status
	Snapshot() *snapshot.Snapshot
}

// Stats writes the proxy's statistics; the data path implements it.
type Stats interface {
	// WriteText writes Envoy's /stats text form: one `name: value` a line.
	WriteText(w io.Writer) error
	// WritePrometheus writes the Prometheus text exposition format.
	WritePrometheus(w io.Writer) error
}

// DataPlane reports whether the data path serves the config the xDS client
// published (*server.Server implements it).
type DataPlane interface {
	// NotReady says why the data path does not serve its config (say, a
	// listener could not bind its address), or returns "" when it does.
	NotReady() string
}

// DrainOptions are /drain_listeners' query parameters.
type DrainOptions struct {
	Graceful    bool // ?graceful: drain gradually rather than close now
	InboundOnly bool // ?inboundonly: inbound listeners only
}

// Options configure a Server. Hooks are called from the request's goroutine
// and must not block (start the work, then return).
type Options struct {
	XDS   ConfigSource // required
	Stats Stats        // nil: /stats answers 503
	// DataPlane, when set, makes /ready fail while the data path cannot
	// serve the applied config.
	DataPlane DataPlane
	// AdminAddress is shown in the bootstrap section of /config_dump.
	AdminAddress      string
	OnHealthcheckFail func()
	OnHealthcheckOK   func()
	OnDrainListeners  func(DrainOptions)
	OnQuit            func()
	Logger            *slog.Logger
}

// Server serves the admin endpoints. It is an http.Handler; Run serves it on
// an address.
type Server struct {
	opts     Options
	mux      *http.ServeMux
	started  time.Time
	draining atomic.Bool
	hcFailed atomic.Bool
}

var _ http.Handler = (*Server)(nil)

// New builds a Server; opts.XDS is required.
func New(opts Options) (*Server, error) {
	if opts.XDS == nil {
		return nil, errors.New("admin: XDS config source required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), started: time.Now()}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("/", s.index)
	s.mux.HandleFunc("/ready", s.ready)
	s.mux.HandleFunc("/config_dump", s.configDumpHandler)
	s.mux.HandleFunc("/stats", s.stats)
	s.mux.HandleFunc("/stats/prometheus", s.prometheus)
	s.mux.HandleFunc("/clusters", s.clusters)
	s.mux.HandleFunc("/listeners", s.listeners)
	s.mux.HandleFunc("/healthcheck/fail", s.post(s.healthcheckFail))
	s.mux.HandleFunc("/healthcheck/ok", s.post(s.healthcheckOK))
	s.mux.HandleFunc("/drain_listeners", s.post(s.drainListeners))
	s.mux.HandleFunc("/quitquitquit", s.post(s.quit))
}

// ServeHTTP serves one admin request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// SetDraining makes /ready answer 503 DRAINING (the data path calls it on
// SIGTERM, before draining listeners).
func (s *Server) SetDraining() { s.draining.Store(true) }

// Run serves on addr until ctx is done, then shuts down, letting requests in
// flight finish for up to 5 s.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("admin: listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done; it closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.opts.Logger.Info("admin listening", "address", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("admin: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}
