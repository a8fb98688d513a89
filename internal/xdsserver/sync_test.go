package xdsserver

import (
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

// With one initial-sync slot, a second proxy is served only once the first
// has answered what it was sent; it is listed as connected meanwhile.
func TestInitialSyncsTakeTurns(t *testing.T) {
	mesh := newTestMesh(host("a"), host("b"))
	mesh.routeTag["default"] = "v1"
	h := startServerWith(t, mesh.generator(), Config{InitialSyncs: 1, InitialSyncTimeout: time.Minute})
	first := h.rawStream(testNode("first", "default", 1), false)
	first.request("", "", ep("a"))
	r := first.next("first proxy's endpoints")

	second := h.connect(adstest.Options{Node: testNode("second", "default", 2)})
	waitStatus(t, h.srv, func(st []ProxyStatus) bool { return len(st) == 2 })
	time.Sleep(200 * time.Millisecond)
	if n := second.State(adstest.ClusterType).Responses; n != 0 {
		t.Fatalf("second proxy got %d CDS responses while the first held the only slot", n)
	}

	first.ack(r, ep("a"))
	second.wait(t, "second proxy's sync once the first answered", synced("v1"))
}

// A proxy that never answers gives its slot back after the timeout.
func TestInitialSyncSlotTimesOut(t *testing.T) {
	mesh := newTestMesh(host("a"))
	mesh.routeTag["default"] = "v1"
	h := startServerWith(t, mesh.generator(), Config{InitialSyncs: 1, InitialSyncTimeout: 300 * time.Millisecond})
	silent := h.rawStream(testNode("silent", "default", 1), false)
	silent.request("", "", ep("a"))
	silent.next("silent proxy's endpoints") // never ACKed

	start := time.Now()
	second := h.connect(adstest.Options{Node: testNode("second", "default", 2)})
	second.wait(t, "second proxy's sync after the timeout", synced("v1"))
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("second proxy synced after %s, before the silent one's slot timed out", took)
	}
}
