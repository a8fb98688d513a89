package xdsclient

import (
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"go.uber.org/goleak"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func hasEndpoint(snap *snapshot.Snapshot, cluster, addr string) bool {
	eps := snap.Endpoints[cluster]
	if eps == nil {
		return false
	}
	for _, l := range eps.Localities {
		for _, e := range l.Endpoints {
			if e.Addr == netip.MustParseAddrPort(addr) {
				return true
			}
		}
	}
	return false
}

func TestInitialSync(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, delta bool) {
		cp := xdstest.Start(t, "127.0.0.1:0")
		set(cp, "1", xdstest.BaseMesh(t, "127.0.2.1"))
		c, sink := startClient(t, cp.Addr, delta, nil)
		select {
		case <-c.Synced():
		case <-time.After(10 * time.Second):
			t.Fatalf("not synced: %+v", c.Status())
		}
		snap := c.Snapshot()
		if snap.Listeners[xdstest.ListenerName(9080)] == nil || snap.Routes["9080"] == nil || snap.Clusters[xdstest.Reviews] == nil || !hasEndpoint(snap, xdstest.Reviews, "127.0.2.1:9080") {
			t.Fatalf("incomplete first snapshot: %+v", snap)
		}
		// The first snapshot the data path ever sees is already complete.
		if first := sink.all()[0]; first.Listeners[xdstest.ListenerName(9080)] == nil {
			t.Errorf("published an incomplete snapshot first: %+v", first)
		}
		st := c.Status()
		if !st.Connected || !st.Synced || st.LastNACK != nil || len(st.Warming) != 0 {
			t.Errorf("status = %+v", st)
		}
		if !delta && st.Versions[ListenerType] != "1" {
			t.Errorf("listener version = %q, want 1", st.Versions[ListenerType])
		}
		if got := cp.Nodes()[0]; got != "sidecar~127.0.1.3~reviews-v1.default~default.svc.cluster.local" {
			t.Errorf("node id = %q", got)
		}
	})
}

func TestUpdateSharesUnchangedMaps(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, delta bool) {
		cp := xdstest.Start(t, "127.0.0.1:0")
		set(cp, "1", xdstest.BaseMesh(t, "127.0.2.1"))
		_, sink := startClient(t, cp.Addr, delta, nil)
		before := sink.waitFor(t, "the first endpoint", func(s *snapshot.Snapshot) bool { return hasEndpoint(s, xdstest.Reviews, "127.0.2.1:9080") })
		set(cp, "2", xdstest.BaseMesh(t, "127.0.2.1", "127.0.2.2"))
		after := sink.waitFor(t, "the second endpoint", func(s *snapshot.Snapshot) bool { return hasEndpoint(s, xdstest.Reviews, "127.0.2.2:9080") })
		if reflect.ValueOf(before.Listeners).Pointer() != reflect.ValueOf(after.Listeners).Pointer() ||
			reflect.ValueOf(before.Clusters).Pointer() != reflect.ValueOf(after.Clusters).Pointer() {
			t.Error("an endpoint change rebuilt the listener or cluster maps")
		}
		if before.Endpoints[xdstest.Reviews] == after.Endpoints[xdstest.Reviews] {
			t.Error("endpoints did not change")
		}
	})
}

func TestNACKKeepsLastGoodVersionAndAppliesTheRest(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, delta bool) {
		cp := xdstest.Start(t, "127.0.0.1:0")
		set(cp, "1", xdstest.BaseMesh(t, "127.0.2.1"))
		c, sink := startClient(t, cp.Addr, delta, func(c *Config) { c.NACKRepeatDelay = 300 * time.Millisecond })
		first := sink.waitFor(t, "the first config", func(s *snapshot.Snapshot) bool { return s.Listeners[xdstest.ListenerName(9080)] != nil })

		m := xdstest.BaseMesh(t, "127.0.2.1")
		m.Listeners = []types.Resource{xdstest.BadListener(t, 9080), xdstest.HTTPListener(t, 9081, "9080")}
		set(cp, "2", m)
		snap := sink.waitFor(t, "the good new listener", func(s *snapshot.Snapshot) bool { return s.Listeners[xdstest.ListenerName(9081)] != nil })
		if snap.Listeners[xdstest.ListenerName(9080)] != first.Listeners[xdstest.ListenerName(9080)] {
			t.Error("the rejected listener did not keep its last accepted version")
		}
		wantDetail := `listener 127.0.0.1_9080: filter_chains[0].filters[0]: unsupported filter "envoy.filters.network.redis_proxy" (type google.protobuf.Struct)`
		waitUntil(t, "the control plane to see the NACK", func() bool { return lastNACK(cp) == wantDetail })
		st := c.Status()
		if st.LastNACK == nil || st.LastNACK.Detail != wantDetail || st.LastNACK.TypeURL != ListenerType {
			t.Errorf("LastNACK = %+v", st.LastNACK)
		}
		if !delta && st.Versions[ListenerType] != "1" {
			t.Errorf("ACKed listener version = %q, want 1 (the NACK keeps the previous version)", st.Versions[ListenerType])
		}
		// The server resends a NACKed state-of-the-world response at once;
		// the client answers repeats no faster than NACKRepeatDelay.
		n := len(cp.NACKs())
		time.Sleep(time.Second)
		if extra := len(cp.NACKs()) - n; extra > 4 {
			t.Errorf("%d NACKs in 1s: the NACK loop is not damped", extra)
		}
		// A fixed config is accepted.
		m.Listeners = []types.Resource{xdstest.HTTPListener(t, 9080, "9080"), xdstest.HTTPListener(t, 9081, "9080")}
		set(cp, "3", m)
		waitUntil(t, "the fix to be ACKed", func() bool { return delta || c.Status().Versions[ListenerType] == "3" })
	})
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestStatusBeforeConnecting(t *testing.T) {
	c, _ := startClient(t, "127.0.0.1:1", false, nil)
	waitUntil(t, "a connection error", func() bool { return c.Status().LastError != "" })
	st := c.Status()
	if st.Connected || st.Synced || c.Snapshot() != nil {
		t.Errorf("status = %+v", st)
	}
	if !strings.Contains(st.LastError, "127.0.0.1:1") && !strings.Contains(st.LastError, "connect") {
		t.Logf("last error: %s", st.LastError)
	}
}
