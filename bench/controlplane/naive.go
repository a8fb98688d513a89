package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/controlplane"
	"github.com/loom-mesh/loom/internal/xds"
	"github.com/loom-mesh/loom/internal/xdsserver"
)

// runLoom runs Loom's control plane as `loom control-plane` does.
func runLoom(ctx context.Context, spec childSpec, logger *slog.Logger, ready *atomic.Bool) error {
	go func() {
		for ctx.Err() == nil && !ready.Load() {
			if resp, err := http.Get("http://" + spec.AdminAddress + "/ready"); err == nil {
				resp.Body.Close()
				ready.Store(resp.StatusCode == http.StatusOK)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return controlplane.Run(ctx, controlplane.Config{
		ConfigDir: spec.ConfigDir, XDSAddress: spec.XDSAddress, AdminAddress: spec.AdminAddress,
		DebounceQuiet: spec.DebounceQuiet, DebounceMax: spec.DebounceMax, Logger: logger,
	})
}

// naiveServer is go-control-plane used the naive way, the baseline: its
// SnapshotCache with one snapshot per node and one version for all types,
// rebuilt for every node on every push. Config, registry and generation are
// Loom's, so only the serving differs.
type naiveServer struct {
	cache cachev3.SnapshotCache
	log   *slog.Logger

	mu      sync.Mutex
	nodes   map[string]*xds.Proxy
	gen     xdsserver.Generator
	version int
}

func runNaive(ctx context.Context, spec childSpec, logger *slog.Logger, ready *atomic.Bool) error {
	ns := &naiveServer{cache: cachev3.NewSnapshotCache(true, cachev3.IDHash{}, quietLogger{}), log: logger, nodes: map[string]*xds.Proxy{}}
	lis, err := net.Listen("tcp", spec.XDSAddress)
	if err != nil {
		return err
	}
	gs := grpc.NewServer()
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(gs, serverv3.NewServer(ctx, ns.cache, serverv3.CallbackFuncs{
		StreamRequestFunc: func(_ int64, req *discoverygrpc.DiscoveryRequest) error { return ns.connect(ctx, req.GetNode()) },
		// Delta requests carry the node only on the first one of a stream.
		StreamDeltaRequestFunc: func(_ int64, req *discoverygrpc.DeltaDiscoveryRequest) error {
			if req.GetNode() == nil {
				return nil
			}
			return ns.connect(ctx, req.GetNode())
		},
	}))
	go func() { _ = gs.Serve(lis) }()
	defer gs.Stop()
	pipe := &controlplane.Pipeline{
		Source: config.NewDirSource(spec.ConfigDir, logger), Target: readyTarget{ns, ready},
		DebounceQuiet: spec.DebounceQuiet, DebounceMax: spec.DebounceMax, Logger: logger,
	}
	return pipe.Run(ctx)
}

// connect generates a snapshot for a node on its first request.
func (s *naiveServer) connect(ctx context.Context, node *core.Node) error {
	id := node.GetId()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.nodes[id]; ok {
		return nil
	}
	p, err := xdsserver.ParseNode(node)
	if err != nil {
		return err
	}
	s.nodes[id] = p
	if s.gen != nil {
		s.setSnapshot(ctx, id, p)
	}
	return nil
}

// Update rebuilds every node's snapshot, one node after another.
func (s *naiveServer) Update(ctx context.Context, gen xdsserver.Generator) xdsserver.PushStats {
	start := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen = gen
	s.version++
	for id, p := range s.nodes {
		s.setSnapshot(ctx, id, p)
	}
	return xdsserver.PushStats{Seq: uint64(s.version), Proxies: len(s.nodes), Duration: time.Since(start)}
}

func (s *naiveServer) setSnapshot(ctx context.Context, id string, p *xds.Proxy) {
	res := s.gen.Generate(p)
	byType := map[resource.Type][]types.Resource{}
	for typeURL, named := range res {
		for _, r := range named {
			byType[typeURL] = append(byType[typeURL], r.Message)
		}
	}
	snap, err := cachev3.NewSnapshot(strconv.Itoa(s.version), byType)
	if err == nil {
		err = s.cache.SetSnapshot(ctx, id, snap)
	}
	if err != nil {
		s.log.Error("set snapshot", "node", id, "error", fmt.Sprint(err))
	}
}

// readyTarget marks the child ready after the first push.
type readyTarget struct {
	*naiveServer
	ready *atomic.Bool
}

func (t readyTarget) Update(ctx context.Context, gen xdsserver.Generator) xdsserver.PushStats {
	st := t.naiveServer.Update(ctx, gen)
	t.ready.Store(true)
	return st
}

type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
