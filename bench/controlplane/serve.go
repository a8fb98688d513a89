package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	runtimepprof "runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// serveChild is the control-plane process: it runs spec.Impl and a small
// stats endpoint (/ready, /heap) until SIGTERM.
func serveChild(spec childSpec) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var ready atomic.Bool
	lis, err := net.Listen("tcp", spec.StatsAddress)
	if err != nil {
		return err
	}
	stats := &http.Server{Handler: statsHandler(&ready), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = stats.Serve(lis) }()
	defer stats.Close()
	switch spec.Impl {
	case "loom":
		err = runLoom(ctx, spec, logger, &ready)
	case "naive":
		err = runNaive(ctx, spec, logger, &ready)
	default:
		err = fmt.Errorf("unknown control plane %q", spec.Impl)
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func statsHandler(ready *atomic.Bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	prof := &cpuProfiler{}
	mux.HandleFunc("POST /cpuprofile/start", prof.start)
	mux.HandleFunc("POST /cpuprofile/stop", prof.stop)
	mux.HandleFunc("/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("/heap", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = json.NewEncoder(w).Encode(memStats{ms.HeapAlloc, ms.HeapSys, ms.HeapReleased, ms.StackInuse, ms.Sys, runtime.NumGoroutine()})
	})
	return mux
}

// cpuProfiler records a CPU profile between two requests, so a profile
// covers exactly one phase of the benchmark.
type cpuProfiler struct {
	mu sync.Mutex
	f  *os.File
}

func (p *cpuProfiler) start(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f != nil {
		http.Error(w, "a profile is already running", http.StatusConflict)
		return
	}
	f, err := os.Create(r.URL.Query().Get("path"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := runtimepprof.StartCPUProfile(f); err != nil {
		f.Close()
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.f = f
}

func (p *cpuProfiler) stop(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f == nil {
		http.Error(w, "no profile running", http.StatusConflict)
		return
	}
	runtimepprof.StopCPUProfile()
	if err := p.f.Close(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
	p.f = nil
}

// memStats is what /heap reports, after a full GC.
type memStats struct {
	HeapAlloc, HeapSys, HeapReleased, StackInuse, Sys uint64
	Goroutines                                        int
}
