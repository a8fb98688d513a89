package server

import (
	"testing"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// While draining, a config that drops a cluster the old routes still name
// keeps it (with its EDS assignment); clusters it keeps get its new settings.
func TestKeepClustersWhileDraining(t *testing.T) {
	oldEps := &cluster.Endpoints{}
	old := &snapshot.Snapshot{
		Clusters:  map[string]*cluster.Config{"a": {Name: "a"}, "b": {Name: "b", EDSServiceName: "b-svc"}},
		Endpoints: map[string]*cluster.Endpoints{"b-svc": oldEps},
	}
	newA := &cluster.Config{Name: "a", ConnectTimeout: 1}
	next := &snapshot.Snapshot{Clusters: map[string]*cluster.Config{"a": newA}}
	got := keepClusters(next, old)
	if got.Clusters["a"] != newA {
		t.Error("cluster a: want the new config")
	}
	if got.Clusters["b"] != old.Clusters["b"] || got.Endpoints["b-svc"] != oldEps {
		t.Error("cluster b, dropped by the new config: want the old config and endpoints kept")
	}
	if len(next.Clusters) != 1 || next.Endpoints != nil {
		t.Error("the new snapshot was modified")
	}
}
