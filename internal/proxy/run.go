package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/loom-mesh/loom/internal/proxy/admin"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
)

// Version is reported to the control plane as the node's user agent version.
const Version = "dev"

// Run runs the proxy until ctx ends (SIGTERM) or /quitquitquit, then drains:
// /ready answers 503, listeners stop accepting, requests in flight get
// cfg.DrainDuration to finish, idle keep-alive connections are closed (HTTP/2
// ones get GOAWAY). It returns once everything is closed.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cfg.Concurrency))
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	ctx, quit := context.WithCancel(ctx)
	defer quit()

	dp := newDataPlane(logger, cfg.DrainDuration)
	learner := &addressLearner{next: dp, addr: make(chan netip.Addr, 1)}
	xc, err := xdsclient.New(xdsclient.Config{
		ControlPlane: cfg.ControlPlane,
		Node:         xdsclient.NodeConfig{IP: nodeIP(cfg.IP), Workload: cfg.Workload, Namespace: cfg.Namespace, Version: Version},
		Sink:         learner,
		Delta:        cfg.Delta,
		Logger:       logger,
	})
	if err != nil {
		return err
	}
	adm, err := admin.New(admin.Options{
		XDS: xc, Stats: dp.stats, DataPlane: dp.server, AdminAddress: cfg.AdminAddress, Logger: logger,
		OnQuit:           quit,
		OnDrainListeners: func(o admin.DrainOptions) { dp.server.DrainListeners(o.InboundOnly) },
	})
	if err != nil {
		return err
	}

	// The admin endpoint outlives the drain, so /ready and /stats stay
	// readable while requests finish.
	adminCtx, stopAdmin := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAdmin()
	var wg sync.WaitGroup
	var adminErr error
	wg.Add(3)
	go func() {
		defer wg.Done()
		if err := xc.Run(ctx); err != nil {
			logger.Error("xds client stopped", "error", err)
		}
	}()
	go func() {
		defer wg.Done()
		if adminErr = runAdmin(adminCtx, ctx, adm, cfg, learner.addr, logger); adminErr != nil {
			quit() // without an admin endpoint nothing can tell the proxy is ready
		}
	}()
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			adm.SetDraining()
		case <-adminCtx.Done():
		}
	}()
	logger.Info("proxy starting", "workload", cfg.Workload, "namespace", cfg.Namespace,
		"control_plane", cfg.ControlPlane, "gomaxprocs", cfg.Concurrency)
	dp.Run(ctx)
	stopAdmin()
	wg.Wait()
	logger.Info("proxy stopped")
	return adminErr
}

// startCPUProfile profiles the process until the returned func is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// nodeIP is the address in the node id; unspecified until learned.
func nodeIP(ip netip.Addr) netip.Addr {
	if ip.IsValid() {
		return ip
	}
	return netip.IPv4Unspecified()
}

// runAdmin serves the admin endpoint on its address: the flag's, or the
// workload's port 15000, the workload address being --ip or, without it,
// the one the first config's inbound listener carries.
func runAdmin(ctx, proxyCtx context.Context, adm *admin.Server, cfg Config, learned <-chan netip.Addr, logger *slog.Logger) error {
	addr := cfg.AdminAddress
	if addr == "" && cfg.IP.IsValid() {
		addr = cfg.adminAddress(cfg.IP)
	}
	if addr == "" {
		select {
		case ip := <-learned:
			if !ip.IsValid() {
				ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
				logger.Warn("no inbound listener tells this workload's address; pass --ip or --admin-address", "admin_address", cfg.adminAddress(ip))
			}
			addr = cfg.adminAddress(ip)
		case <-proxyCtx.Done():
			return nil
		}
	}
	err := adm.Run(ctx, addr)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("admin endpoint %s: %w (set --admin-address)", addr, err)
	}
	return nil
}
