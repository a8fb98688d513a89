package upstream

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

func clusterSnapshot(names ...string) *snapshot.Snapshot {
	return clusterSnapshotAt(netip.MustParseAddrPort("127.0.0.1:1"), names...)
}

// clusterSnapshotAt is a snapshot of STATIC clusters with one endpoint, addr.
func clusterSnapshotAt(addr netip.AddrPort, names ...string) *snapshot.Snapshot {
	s := &snapshot.Snapshot{Clusters: map[string]*cluster.Config{}}
	for _, n := range names {
		s.Clusters[n] = &cluster.Config{Name: n, Endpoints: &cluster.Endpoints{Localities: []cluster.Locality{{
			Endpoints: []cluster.Endpoint{{Addr: addr, Weight: 1, Healthy: true}},
		}}}}
	}
	return s
}

func hasClusterStats(t *testing.T, st *stats.Store, name string) bool {
	t.Helper()
	var b strings.Builder
	if err := st.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return strings.Contains(b.String(), "cluster."+name+".")
}

// A removed cluster's stats go once its last connections are closed, as in
// Envoy, so a proxy whose config churns does not grow without bound; a name
// a later config brings back keeps its stats.
func TestRemovedClusterStatsAreDropped(t *testing.T) {
	st := stats.NewStore()
	m := NewManager(slog.New(slog.DiscardHandler), st, http1.NewPool(http1.Config{}))
	defer m.closeAll()
	m.Apply(clusterSnapshot("gone", "back"))
	m.Lookup("gone").Stats.RqTotal.Inc()
	m.Lookup("back").Stats.RqTotal.Inc()
	m.Apply(clusterSnapshot())
	m.evict(time.Now())
	if !hasClusterStats(t, st, "gone") {
		t.Fatal("stats dropped while the removed cluster may still have connections")
	}
	m.Apply(clusterSnapshot("back"))
	m.evict(time.Now().Add(retireDelay + time.Second))
	if hasClusterStats(t, st, "gone") {
		t.Error("removed cluster's stats still listed after its hosts closed")
	}
	if !hasClusterStats(t, st, "back") || m.Lookup("back").Stats.RqTotal.Value() != 1 {
		t.Error("a cluster removed and added back lost its stats")
	}
}
