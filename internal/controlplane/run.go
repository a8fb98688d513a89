// Package controlplane wires Loom's control plane: the config source, the
// service registry, xDS generation and the xDS server, plus the admin
// endpoint. `loom control-plane` calls Run.
package controlplane

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/xds"
	"github.com/loom-mesh/loom/internal/xdsserver"
)

// Run serves the control plane until ctx ends, then shuts down gracefully:
// the admin endpoint and the config watcher stop, and proxies' streams are
// closed (they keep serving their last config and reconnect).
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	log := cfg.Logger
	xdsLis, err := net.Listen("tcp", cfg.XDSAddress)
	if err != nil {
		return fmt.Errorf("xds-address: %w", err)
	}
	adminLis, err := net.Listen("tcp", cfg.AdminAddress)
	if err != nil {
		xdsLis.Close()
		return fmt.Errorf("admin-address: %w", err)
	}
	srv := xdsserver.New(xdsserver.Config{Logger: log.With("component", "xds")})
	pipe := &Pipeline{
		// xds.Unsupported reports, as warnings, fields the generator does not
		// act on yet, so they are never dropped silently.
		Source: config.NewDirSource(cfg.ConfigDir, log.With("component", "config"),
			config.WithAnalyzers(xds.Unsupported)),
		Target:        srv,
		DebounceQuiet: cfg.DebounceQuiet,
		DebounceMax:   cfg.DebounceMax,
		Logger:        log,
		problems:      newProblemLog(log),
	}
	admin := &http.Server{Handler: adminHandler(srv, pipe.problems), ReadHeaderTimeout: 5 * time.Second}
	log.Info("control plane starting", "config_dir", cfg.ConfigDir, "xds", xdsLis.Addr().String(), "admin", adminLis.Addr().String())

	var g group
	ctx = g.withContext(ctx)
	g.run(func() error { return srv.Run(ctx, xdsLis) })
	g.run(func() error { return pipe.Run(ctx) })
	g.run(func() error { return serveAdmin(ctx, admin, adminLis) })
	err = g.wait()
	log.Info("control plane stopped")
	return err
}

func serveAdmin(ctx context.Context, srv *http.Server, lis net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	select {
	case err := <-done:
		return fmt.Errorf("admin endpoint: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
