package upstream

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// A cluster removed and added back under the same name shares its stats:
// the retired one must not be kept just because the live one has a
// connection open (each remove/add cycle would then leak one cluster for
// as long as the name has traffic).
func TestRetiredClusterNotKeptByLiveNamesake(t *testing.T) {
	h := startHolder(t)
	snapWith := func(names ...string) *snapshot.Snapshot { return clusterSnapshotAt(h.addr(), names...) }
	m := NewManager(slog.New(slog.DiscardHandler), stats.NewStore(), http1.NewPool(http1.Config{}))
	defer m.closeAll()
	for range 3 { // a config that drops the cluster and brings it back
		m.Apply(snapWith("back"))
		m.Apply(snapWith())
	}
	m.Apply(snapWith("back"))
	live := m.Lookup("back")
	nc, err := live.DialTCP(context.Background(), live.Hosts()[0]) // a long TCP session on the live cluster
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	m.evict(time.Now().Add(retireDelay + time.Second))
	m.mu.Lock()
	n := len(m.removed)
	m.mu.Unlock()
	if n != 0 {
		t.Errorf("%d retired clusters kept after their hosts closed (they have no connection; the live namesake does)", n)
	}
}
