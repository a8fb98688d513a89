package xdsclient

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

var testNode = NodeConfig{IP: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1", Namespace: "default"}

// controlPlane is go-control-plane's server and SnapshotCache on loopback:
// a real ADS peer for the client under test.
type controlPlane struct {
	t     *testing.T
	addr  string
	cache cachev3.SnapshotCache
	grpc  *grpc.Server
	done  chan struct{}

	mu    sync.Mutex
	nacks []string // error_detail messages received
	nodes []string // node ids seen on first requests
}

// startControlPlane serves on addr ("127.0.0.1:0" for any port).
func startControlPlane(t *testing.T, addr string) *controlPlane {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cp := &controlPlane{t: t, addr: lis.Addr().String(), cache: cachev3.NewSnapshotCache(true, cachev3.IDHash{}, nil), done: make(chan struct{})}
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
	t.Cleanup(cp.stop)
	return cp
}

func (cp *controlPlane) record(node, nack string) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if node != "" {
		cp.nodes = append(cp.nodes, node)
	}
	if nack != "" {
		cp.nacks = append(cp.nacks, nack)
	}
}

func (cp *controlPlane) nackCount() int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return len(cp.nacks)
}

func (cp *controlPlane) lastNACK() string {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if len(cp.nacks) == 0 {
		return ""
	}
	return cp.nacks[len(cp.nacks)-1]
}

func (cp *controlPlane) stop() {
	cp.grpc.Stop()
	<-cp.done
}

// set replaces the node's snapshot.
func (cp *controlPlane) set(version string, resources map[resourcev3.Type][]types.Resource) {
	cp.t.Helper()
	snap, err := cachev3.NewSnapshot(version, resources)
	if err != nil {
		cp.t.Fatal(err)
	}
	if err := cp.cache.SetSnapshot(context.Background(), testNode.ID(), snap); err != nil {
		cp.t.Fatal(err)
	}
}

// recordingSink keeps every snapshot the client publishes.
type recordingSink struct {
	mu     sync.Mutex
	snaps  []*snapshot.Snapshot
	notify chan struct{}
}

func newRecordingSink() *recordingSink { return &recordingSink{notify: make(chan struct{}, 1)} }

func (s *recordingSink) Apply(snap *snapshot.Snapshot) {
	s.mu.Lock()
	s.snaps = append(s.snaps, snap)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *recordingSink) all() []*snapshot.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*snapshot.Snapshot(nil), s.snaps...)
}

// waitFor waits until the latest snapshot satisfies ok.
func (s *recordingSink) waitFor(t *testing.T, what string, ok func(*snapshot.Snapshot) bool) *snapshot.Snapshot {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		if all := s.all(); len(all) > 0 && ok(all[len(all)-1]) {
			return all[len(all)-1]
		}
		select {
		case <-s.notify:
		case <-timeout:
			t.Fatalf("timed out waiting for a snapshot with %s", what)
		}
	}
}

// startClient runs a client against cp until the test ends.
func startClient(t *testing.T, addr string, delta bool, tune func(*Config)) (*Client, *recordingSink) {
	t.Helper()
	sink := newRecordingSink()
	cfg := Config{
		ControlPlane: addr, Node: testNode, Sink: sink, Delta: delta,
		InitialFetchTimeout: 5 * time.Second,
		Backoff:             Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond},
	}
	if tune != nil {
		tune(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return c, sink
}

// forBothProtocols runs f as a state-of-the-world and as a delta subtest.
func forBothProtocols(t *testing.T, f func(t *testing.T, delta bool)) {
	t.Run("sotw", func(t *testing.T) { f(t, false) })
	t.Run("delta", func(t *testing.T) { f(t, true) })
}
