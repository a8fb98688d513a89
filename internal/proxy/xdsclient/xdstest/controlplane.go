// Package xdstest runs go-control-plane's ADS server and SnapshotCache on
// loopback as a real xDS peer for tests of the proxy's xDS client, admin
// server and proxy-config, and builds small resources shaped like
// docs/xds.md's.
package xdstest

import (
	"context"
	"net"
	"sync"
	"testing"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
)

// ControlPlane is an ADS server on loopback; the test stops it on cleanup.
type ControlPlane struct {
	Addr  string
	t     testing.TB
	cache cachev3.SnapshotCache
	grpc  *grpc.Server
	done  chan struct{}

	mu    sync.Mutex
	nacks []string
	nodes []string
}

// Start serves on addr ("127.0.0.1:0" for any port).
func Start(t testing.TB, addr string) *ControlPlane {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cp := &ControlPlane{t: t, Addr: lis.Addr().String(), cache: cachev3.NewSnapshotCache(true, cachev3.IDHash{}, nil), done: make(chan struct{})}
	cb := serverv3.CallbackFuncs{
		StreamRequestFunc: func(_ int64, r *discoveryv3.DiscoveryRequest) error {
			cp.record(r.GetNode().GetId(), r.GetErrorDetail().GetMessage())
			return nil
		},
		StreamDeltaRequestFunc: func(_ int64, r *discoveryv3.DeltaDiscoveryRequest) error {
			cp.record(r.GetNode().GetId(), r.GetErrorDetail().GetMessage())
			return nil
		},
	}
	cp.grpc = grpc.NewServer()
	discoveryv3.RegisterAggregatedDiscoveryServiceServer(cp.grpc, serverv3.NewServer(context.Background(), cp.cache, cb))
	go func() {
		defer close(cp.done)
		_ = cp.grpc.Serve(lis)
	}()
	t.Cleanup(cp.Stop)
	return cp
}

func (cp *ControlPlane) record(node, nack string) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if node != "" {
		cp.nodes = append(cp.nodes, node)
	}
	if nack != "" {
		cp.nacks = append(cp.nacks, nack)
	}
}

// NACKs are the error_detail messages received, oldest first.
func (cp *ControlPlane) NACKs() []string {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return append([]string(nil), cp.nacks...)
}

// Nodes are the node ids of requests that carried a node.
func (cp *ControlPlane) Nodes() []string {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return append([]string(nil), cp.nodes...)
}

// Stop ends every stream and stops serving; safe to call twice.
func (cp *ControlPlane) Stop() {
	cp.grpc.Stop()
	<-cp.done
}

// Set replaces a node's resources.
func (cp *ControlPlane) Set(nodeID, version string, res Resources) {
	cp.t.Helper()
	snap, err := cachev3.NewSnapshot(version, map[resourcev3.Type][]types.Resource{
		resourcev3.ListenerType: res.Listeners, resourcev3.RouteType: res.Routes,
		resourcev3.ClusterType: res.Clusters, resourcev3.EndpointType: res.Endpoints,
	})
	if err != nil {
		cp.t.Fatal(err)
	}
	if err := cp.cache.SetSnapshot(context.Background(), nodeID, snap); err != nil {
		cp.t.Fatal(err)
	}
}
