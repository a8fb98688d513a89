package controlplane

import (
	"testing"

	"github.com/loom-mesh/loom/internal/config"
)

func parseObjects(t *testing.T, yaml string) []*config.Object {
	t.Helper()
	objs, problems := config.ParseBytes("test.yaml", []byte(yaml))
	if len(problems) > 0 {
		t.Fatalf("parse: %v", problems)
	}
	return objs
}

func TestRegistryCacheRebuildsOnlyWhenEntriesChange(t *testing.T) {
	base := parseObjects(t, meshYAML)
	vs := parseObjects(t, reviewsVS(80, 20))
	var c registryCache
	first, _ := c.get(config.NewSnapshot(1, append(append([]*config.Object(nil), base...), vs...), nil))

	// A route change: same entries (same objects), another VirtualService.
	routed, _ := c.get(config.NewSnapshot(2, append(append([]*config.Object(nil), base...), parseObjects(t, reviewsVS(0, 100))...), nil))
	if routed != first {
		t.Error("registry rebuilt although no ServiceEntry or WorkloadEntry changed")
	}

	// A WorkloadEntry moves: a new object, so a new registry that has it.
	moved := parseObjects(t, `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v3}
spec: {address: 127.0.1.9, labels: {app: reviews, version: v3}}
`)
	var objs []*config.Object
	for _, o := range base {
		if o.Kind != config.KindWorkloadEntry || o.Name != "reviews-v3" {
			objs = append(objs, o)
		}
	}
	reg, _ := c.get(config.NewSnapshot(3, append(append(objs, moved...), vs...), nil))
	if reg == first {
		t.Fatal("registry not rebuilt after a WorkloadEntry changed")
	}
	if w := reg.Workload("default", "reviews-v3"); w == nil || w.Address != "127.0.1.9" {
		t.Errorf("rebuilt registry's reviews-v3 = %+v, want address 127.0.1.9", w)
	}
}
