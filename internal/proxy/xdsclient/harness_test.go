package xdsclient

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

var testNode = NodeConfig{IP: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1", Namespace: "default"}

// set replaces the test node's resources on cp.
func set(cp *xdstest.ControlPlane, version string, res xdstest.Resources) {
	cp.Set(testNode.ID(), version, res)
}

func lastNACK(cp *xdstest.ControlPlane) string {
	n := cp.NACKs()
	if len(n) == 0 {
		return ""
	}
	return n[len(n)-1]
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
