package proxy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/server"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// dataPlane is the proxy without its control-plane client: the listener
// manager, cluster manager, codec buffers and stats. It is a snapshot.Sink.
type dataPlane struct {
	logger   *slog.Logger
	stats    *stats.Store
	clusters *upstream.Manager
	server   *server.Server
}

func newDataPlane(logger *slog.Logger, drain time.Duration) *dataPlane {
	st := stats.NewStore()
	codec := http1.NewPool(http1.Config{})
	clusters := upstream.NewManager(logger, st, codec)
	srv := server.New(server.Options{Logger: logger, Codec: codec, Stats: st, Clusters: clusters, DrainTimeout: drain})
	return &dataPlane{logger: logger, stats: st, clusters: clusters, server: srv}
}

// Apply installs a snapshot.
func (d *dataPlane) Apply(s *snapshot.Snapshot) { d.server.Apply(s) }

// Run serves until ctx ends, then drains the listeners and stops the
// cluster manager (which must outlive the drain: requests in flight still
// use its pools).
func (d *dataPlane) Run(ctx context.Context) {
	cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.clusters.Run(cctx)
	}()
	d.server.Run(ctx)
	stop()
	wg.Wait()
}
