package xds

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// bookinfoFiles writes the Bookinfo mesh, with edit applied, and samples to a
// temporary directory and returns the file paths.
func bookinfoFiles(t testing.TB, edit func(string) string, samples ...string) []string {
	t.Helper()
	mesh, err := os.ReadFile("testdata/bookinfo/mesh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mesh.yaml")
	if err := os.WriteFile(path, []byte(edit(string(mesh))), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{path}
	for _, s := range samples {
		files = append(files, filepath.Join(samplesDir, s))
	}
	return files
}

func same(s string) string { return s }

func nextPush(t testing.TB, prev *Push, files []string) *Push {
	t.Helper()
	cfg := config.LoadFiles(files...)
	reg, _ := registry.FromConfig(cfg)
	return NewPush(cfg, reg, prev)
}

// changedNames lists, per type, the resources of b that are not the very
// same *Resource as in a.
func changedNames(a, b ProxyResources) map[string][]string {
	out := map[string][]string{}
	for typ, byName := range b {
		for name, r := range byName {
			if a[typ][name] != r {
				out[typ] = append(out[typ], name)
			}
		}
	}
	for typ := range out {
		slicesSort(out[typ])
	}
	return out
}

func TestPushReusesUnchangedResources(t *testing.T) {
	base := bookinfoFiles(t, same, "destination-rule-all.yaml", "virtual-service-reviews-80-20.yaml")
	first := nextPush(t, nil, base)
	before := map[string]ProxyResources{}
	for _, pr := range bookinfoProxies {
		before[pr.workload] = first.Generate(bookinfoProxy(pr.workload, pr.ip))
	}
	tests := []struct {
		name  string
		files []string
		want  map[string]map[string][]string // workload → type → changed names
	}{
		{"nothing changed", base, nil},
		{"a VirtualService changed", bookinfoFiles(t, same, "destination-rule-all.yaml", "virtual-service-reviews-50-v3.yaml"),
			map[string]map[string][]string{
				"productpage-v1": {resourcev3.RouteType: {"9080"}},
				"unknown":        {resourcev3.RouteType: {"9080"}},
			}},
		{"one service's endpoints changed", bookinfoFiles(t, func(s string) string {
			return strings.Replace(s, "locality: us-west/zone2", "locality: us-west/zone2\n  weight: 5", 1)
		}, "destination-rule-all.yaml", "virtual-service-reviews-80-20.yaml"),
			map[string]map[string][]string{
				"productpage-v1": {resourcev3.EndpointType: {"outbound|9080|v3|reviews.default.svc.cluster.local", "outbound|9080||reviews.default.svc.cluster.local"}},
				"unknown":        {resourcev3.EndpointType: {"outbound|9080|v3|reviews.default.svc.cluster.local", "outbound|9080||reviews.default.svc.cluster.local"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := nextPush(t, first, tt.files)
			if next.Sequence != first.Sequence+1 {
				t.Errorf("sequence %d after %d", next.Sequence, first.Sequence)
			}
			for _, pr := range bookinfoProxies {
				got := changedNames(before[pr.workload], next.Generate(bookinfoProxy(pr.workload, pr.ip)))
				want := tt.want[pr.workload]
				if want == nil {
					want = map[string][]string{}
				}
				if !equalChanges(want, got) {
					t.Errorf("%s: changed %v, want %v", pr.workload, got, want)
				}
			}
		})
	}
}

func equalChanges(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, ",") != strings.Join(b[k], ",") {
			return false
		}
	}
	return true
}

// Many goroutines generating at once get the very same shared resources.
func TestGenerateConcurrently(t *testing.T) {
	p := loadPush(t, bookinfoFiles(t, same, "destination-rule-all.yaml", "virtual-service-reviews-jason-v2-v3.yaml")...)
	const workers = 8
	results := make([][]ProxyResources, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for _, pr := range bookinfoProxies {
				results[w] = append(results[w], p.Generate(bookinfoProxy(pr.workload, pr.ip)))
			}
		})
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		for i, pr := range bookinfoProxies {
			if c := changedNames(results[0][i], results[w][i]); len(c) > 0 {
				t.Errorf("worker %d, %s: resources differ from worker 0's: %v", w, pr.workload, c)
			}
		}
	}
	// reviews-v2 and reviews-v3 have Sidecars with the same egress: their
	// route configurations are one resource.
	v2, v3 := results[0][3], results[0][4]
	if v2[resourcev3.RouteType]["9080"] != v3[resourcev3.RouteType]["9080"] {
		t.Error("reviews-v2 and reviews-v3 do not share route configuration 9080")
	}
	if v2[resourcev3.ClusterType]["outbound|9080||ratings.default.svc.cluster.local"] !=
		results[0][6][resourcev3.ClusterType]["outbound|9080||ratings.default.svc.cluster.local"] {
		t.Error("a cluster is not shared between scopes")
	}
}
