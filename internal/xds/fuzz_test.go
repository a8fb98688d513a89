package xds

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// FuzzGenerate feeds any config that passes Loom's validation through the
// registry and the generator: nothing may panic, and every generated
// resource must pass ValidateAll and marshal.
func FuzzGenerate(f *testing.F) {
	mesh, err := os.ReadFile("testdata/bookinfo/mesh.yaml")
	if err != nil {
		f.Fatal(err)
	}
	samples, _ := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
	for _, s := range samples {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(mesh) + "\n---\n" + string(data))
	}
	features, err := os.ReadFile("testdata/features/mesh.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(features))
	f.Fuzz(func(t *testing.T, yaml string) {
		cfg := validConfig(yaml)
		reg, _ := registry.FromConfig(cfg)
		Unsupported(cfg)
		push := NewPush(cfg, reg, nil)
		for _, proxy := range fuzzProxies(cfg) {
			res := push.Generate(proxy)
			for typ, byName := range res {
				for name, r := range byName {
					if err := r.Message.(interface{ ValidateAll() error }).ValidateAll(); err != nil {
						t.Errorf("%s %q: %v", typ, name, err)
					}
					if _, _, err := r.Marshaled(); err != nil {
						t.Errorf("%s %q: %v", typ, name, err)
					}
				}
			}
		}
		for _, p := range push.Problems() {
			if strings.HasPrefix(p.Reason, "internal error") {
				t.Error(p)
			}
		}
	})
}

// validConfig keeps the objects Loom's validation accepts, as the control
// plane does.
func validConfig(yaml string) *config.Snapshot {
	objs, _ := config.ParseBytes("fuzz.yaml", []byte(yaml))
	var valid []*config.Object
	for _, o := range objs {
		if !hasErrors(config.ValidateObject(o)) {
			valid = append(valid, o)
		}
	}
	return config.NewSnapshot(1, valid, nil)
}

func hasErrors(ps []config.Problem) bool {
	for _, p := range ps {
		if p.Severity == config.SeverityError {
			return true
		}
	}
	return false
}

// fuzzProxies are the config's first WorkloadEntries and a proxy the
// registry does not know.
func fuzzProxies(cfg *config.Snapshot) []*Proxy {
	out := []*Proxy{{ID: xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: netip.MustParseAddr("127.0.9.9"), Workload: "nobody", Namespace: "default"}, Workload: "nobody"}}
	for i, o := range cfg.List(config.KindWorkloadEntry) {
		if i == 4 {
			break
		}
		out = append(out, &Proxy{ID: xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: netip.MustParseAddr("127.0.9.1"), Workload: o.Name, Namespace: o.Namespace}, Workload: o.Name})
	}
	return out
}
