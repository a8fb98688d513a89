package sampleapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownGrace bounds how long in-flight requests may take once the app is told to stop.
const shutdownGrace = 5 * time.Second

// Run serves the app described by cfg until ctx ends. It validates cfg first.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("sample app %s %s: %w", cfg.Name, cfg.Version, err)
	}
	logger = logger.With("app", cfg.Name, "version", cfg.Version, "kind", cfg.Kind)
	logger.Info("serving", "listen", ln.Addr().String())
	return Serve(ctx, cfg, ln, logger)
}

// Serve is Run on a listener the caller opened (tests use it with ":0").
func Serve(ctx context.Context, cfg Config, ln net.Listener, logger *slog.Logger) error {
	switch cfg.Kind {
	case KindTCPEcho:
		return (&tcpEcho{logger: logger}).serve(ctx, ln)
	case KindGRPCEcho:
		return serveGRPC(ctx, ln)
	case KindHTTPEcho:
		return serveHTTP(ctx, ln, &httpEcho{cfg: &cfg}, cfg.IdleTimeout, nil)
	default:
		b := newBookinfo(&cfg)
		return serveHTTP(ctx, ln, b.handler(), cfg.IdleTimeout, b.up.close)
	}
}

func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, idle time.Duration, onStop func()) error {
	srv := &http.Server{Handler: h, IdleTimeout: idle, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if onStop != nil {
		onStop()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

func serveGRPC(ctx context.Context, ln net.Listener) error {
	srv := newGRPCEchoServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(shutdownGrace):
		srv.Stop()
		<-stopped
	}
	return <-errc
}
