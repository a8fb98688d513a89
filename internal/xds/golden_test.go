package xds

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const samplesDir = "../../samples/istio-bookinfo"

// goldenScenarios apply the Bookinfo samples to testdata/bookinfo/mesh.yaml,
// each VirtualService sample with destination-rule-all.yaml, as Istio's
// documentation applies them.
var goldenScenarios = []struct {
	name    string
	samples []string
}{
	{"base", nil},
	{"destination-rule-all", []string{"destination-rule-all.yaml"}},
	{"virtual-service-all-v1", []string{"destination-rule-all.yaml", "virtual-service-all-v1.yaml"}},
	{"virtual-service-reviews-80-20", []string{"destination-rule-all.yaml", "virtual-service-reviews-80-20.yaml"}},
	{"virtual-service-reviews-50-v3", []string{"destination-rule-all.yaml", "virtual-service-reviews-50-v3.yaml"}},
	{"virtual-service-reviews-v2-v3", []string{"destination-rule-all.yaml", "virtual-service-reviews-v2-v3.yaml"}},
	{"virtual-service-reviews-test-v2", []string{"destination-rule-all.yaml", "virtual-service-reviews-test-v2.yaml"}},
	{"virtual-service-reviews-jason-v2-v3", []string{"destination-rule-all.yaml", "virtual-service-reviews-jason-v2-v3.yaml"}},
	{"virtual-service-ratings-test-delay", []string{"destination-rule-all.yaml", "virtual-service-ratings-test-delay.yaml"}},
	{"virtual-service-ratings-test-abort", []string{"destination-rule-all.yaml", "virtual-service-ratings-test-abort.yaml"}},
}

// bookinfoProxies are the mesh's workloads plus a proxy the registry does not
// know, which gets the default scope.
var bookinfoProxies = []struct{ workload, ip string }{
	{"productpage-v1", "127.0.1.1"},
	{"details-v1", "127.0.1.2"},
	{"reviews-v1", "127.0.1.3"},
	{"reviews-v2", "127.0.1.4"},
	{"reviews-v3", "127.0.1.5"},
	{"ratings-v1", "127.0.1.6"},
	{"unknown", "127.0.3.1"},
}

func bookinfoProxy(workload, ip string) *Proxy {
	return &Proxy{
		ID: xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: netip.MustParseAddr(ip), Workload: workload,
			Namespace: "default", DNSDomain: "default.svc.cluster.local"},
		Workload: workload,
	}
}

// loadPush reads config files the way the control plane does and builds a push.
func loadPush(t testing.TB, files ...string) *Push {
	t.Helper()
	cfg := config.LoadFiles(files...)
	for _, p := range cfg.Problems {
		if p.Severity == config.SeverityError {
			t.Fatalf("config: %s", p)
		}
	}
	reg, problems := registry.FromConfig(cfg)
	if len(problems) > 0 {
		t.Fatalf("registry: %v", problems)
	}
	return NewPush(cfg, reg, nil)
}

func TestGolden(t *testing.T) {
	for _, sc := range goldenScenarios {
		t.Run(sc.name, func(t *testing.T) {
			files := []string{"testdata/bookinfo/mesh.yaml"}
			for _, s := range sc.samples {
				files = append(files, filepath.Join(samplesDir, s))
			}
			push := loadPush(t, files...)
			for _, pr := range bookinfoProxies {
				t.Run(pr.workload, func(t *testing.T) {
					res := push.Generate(bookinfoProxy(pr.workload, pr.ip))
					checkResources(t, res)
					compareGolden(t, filepath.Join("testdata", "golden", sc.name, pr.workload+".json"), renderJSON(t, res))
				})
			}
			if ps := push.Problems(); len(ps) > 0 {
				t.Errorf("push problems: %v", ps)
			}
		})
	}
}

// TestGoldenFeatures pins what the Bookinfo samples do not exercise.
func TestGoldenFeatures(t *testing.T) {
	push := loadPush(t, "testdata/features/mesh.yaml")
	proxy := &Proxy{ID: xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: netip.MustParseAddr("127.0.5.1"), Workload: "frontend-1", Namespace: "shop"},
		Workload: "frontend-1"}
	res := push.Generate(proxy)
	checkResources(t, res)
	compareGolden(t, filepath.Join("testdata", "golden", "features", "frontend-1.json"), renderJSON(t, res))
	if ps := push.Problems(); len(ps) > 0 {
		t.Errorf("push problems: %v", ps)
	}
}

// renderJSON renders resources as indented protojson, by type then name.
func renderJSON(t testing.TB, res ProxyResources) []byte {
	t.Helper()
	var doc struct {
		Listeners []json.RawMessage `json:"listeners"`
		Routes    []json.RawMessage `json:"routes"`
		Clusters  []json.RawMessage `json:"clusters"`
		Endpoints []json.RawMessage `json:"endpoints"`
	}
	for _, typ := range []struct {
		url string
		out *[]json.RawMessage
	}{
		{resourcev3.ListenerType, &doc.Listeners},
		{resourcev3.RouteType, &doc.Routes},
		{resourcev3.ClusterType, &doc.Clusters},
		{resourcev3.EndpointType, &doc.Endpoints},
	} {
		*typ.out = []json.RawMessage{}
		for _, name := range slices.Sorted(mapsKeys(res[typ.url])) {
			b, err := protojson.Marshal(res[typ.url][name].Message)
			if err != nil {
				t.Fatalf("%s %s: %v", typ.url, name, err)
			}
			*typ.out = append(*typ.out, b)
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
