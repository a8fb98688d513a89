package xds

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// The control-plane benchmark mesh: 100 services × 3 endpoints in 10
// namespaces, a DestinationRule with subsets v1..v3 per service, a
// VirtualService splitting 80/20 for every tenth service, and 1,000 proxies
// (100 per namespace) with no Sidecar: each sees every service.
const (
	benchNamespaces = 10
	benchServices   = 100
	benchEndpoints  = 3
	benchProxies    = 1000
)

// benchMesh renders the mesh as YAML; weight is the v1 share of the split
// VirtualServices and epWeight the weight of the first service's first
// endpoint, so two meshes differing in one of them differ by one change.
func benchMesh(weight, epWeight int, sidecars bool) string {
	var b strings.Builder
	if sidecars {
		writeClientSidecars(&b)
	}
	for s := range benchServices {
		ns, name := fmt.Sprintf("ns%d", s%benchNamespaces), fmt.Sprintf("svc%d", s)
		fmt.Fprintf(&b, `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  hosts: [%[1]s]
  resolution: STATIC
  ports: [{number: 8080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: %[1]s}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  host: %[1]s
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}, {name: v3, labels: {version: v3}}]
---
`, name, ns)
		for e := range benchEndpoints {
			w := 1
			if s == 0 && e == 0 {
				w = epWeight
			}
			fmt.Fprintf(&b, `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: %[1]s-v%[3]d, namespace: %[2]s}
spec: {address: 127.1.%[4]d.%[5]d, labels: {app: %[1]s, version: v%[3]d}, weight: %[6]d}
---
`, name, ns, e+1, s, e+1, w)
		}
		if s%10 == 0 {
			fmt.Fprintf(&b, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  hosts: [%[1]s]
  http: [{route: [{destination: {host: %[1]s, subset: v1}, weight: %[3]d}, {destination: {host: %[1]s, subset: v2}, weight: %[4]d}]}]
---
`, name, ns, weight, 100-weight)
		}
	}
	return b.String()
}

// writeClientSidecars makes every proxy a WorkloadEntry with a Sidecar of its
// own (as local mode's demo does): an ingress listener, and one egress
// listener importing three services.
func writeClientSidecars(b *strings.Builder) {
	for i := range benchProxies {
		ns, name := fmt.Sprintf("ns%d", i%benchNamespaces), fmt.Sprintf("client%d", i)
		var hosts []string
		for k := range 3 {
			s := (i + k) % benchServices
			hosts = append(hosts, fmt.Sprintf("ns%d/svc%d.ns%d.svc.cluster.local", s%benchNamespaces, s, s%benchNamespaces))
		}
		fmt.Fprintf(b, `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: %[1]s, namespace: %[2]s}
spec: {address: %[3]s, labels: {app: %[1]s, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  workloadSelector: {labels: {app: %[1]s}}
  ingress: [{port: {number: 8080, protocol: HTTP, name: http}, defaultEndpoint: "127.0.0.1:18080"}]
  egress: [{port: {number: 8080, protocol: HTTP, name: http}, hosts: [%[4]s]}]
---
`, name, ns, benchProxyIP(i), strings.Join(hosts, ", "))
	}
}

func benchProxyIP(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, 2, byte(i / 250), byte(i%250 + 1)})
}

type benchInput struct {
	cfg *config.Snapshot
	reg *registry.Snapshot
}

func benchInputs(b *testing.B, weight, epWeight int, sidecars bool) benchInput {
	b.Helper()
	cfg := parseConfig(b, benchMesh(weight, epWeight, sidecars))
	reg, problems := registry.FromConfig(cfg)
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	return benchInput{cfg, reg}
}

func benchProxyList() []*Proxy {
	out := make([]*Proxy, benchProxies)
	for i := range out {
		ns := fmt.Sprintf("ns%d", i%benchNamespaces)
		out[i] = &Proxy{ID: xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: benchProxyIP(i), Workload: fmt.Sprintf("client%d", i), Namespace: ns},
			Workload: fmt.Sprintf("client%d", i)}
	}
	return out
}

// generateAll generates for every proxy and marshals every resource, as the
// xDS server does before sending (a no-op for resources already marshaled).
func generateAll(b *testing.B, p *Push, proxies []*Proxy, keep []ProxyResources) {
	for i, pr := range proxies {
		res := p.Generate(pr)
		for _, byName := range res {
			for _, r := range byName {
				if _, _, err := r.Marshaled(); err != nil {
					b.Fatal(err)
				}
			}
		}
		keep[i] = res
	}
}

func BenchmarkRegistryFromConfig(b *testing.B) {
	in := benchInputs(b, 80, 1, false)
	b.ReportAllocs()
	for b.Loop() {
		registry.FromConfig(in.cfg)
	}
}

func BenchmarkNewPush(b *testing.B) {
	in := benchInputs(b, 80, 1, false)
	b.ReportAllocs()
	for b.Loop() {
		NewPush(in.cfg, in.reg, nil)
	}
}

// BenchmarkFirstPush1000Proxies is a cold push: every resource is built,
// validated and marshaled once, then shared by the 1,000 proxies.
func BenchmarkFirstPush1000Proxies(b *testing.B) {
	in := benchInputs(b, 80, 1, false)
	proxies, keep := benchProxyList(), make([]ProxyResources, benchProxies)
	b.ReportAllocs()
	for b.Loop() {
		generateAll(b, NewPush(in.cfg, in.reg, nil), proxies, keep)
	}
}

// BenchmarkGenerate1000Proxies is Generate alone on a push whose resources
// are built: the per-proxy cost of a push that changed nothing they see.
func BenchmarkGenerate1000Proxies(b *testing.B) {
	in := benchInputs(b, 80, 1, false)
	proxies, keep := benchProxyList(), make([]ProxyResources, benchProxies)
	p := NewPush(in.cfg, in.reg, nil)
	generateAll(b, p, proxies, keep)
	b.ReportAllocs()
	for b.Loop() {
		for i, pr := range proxies {
			keep[i] = p.Generate(pr)
		}
	}
}

// benchChange alternates between two inputs that differ by one change; each
// iteration is the push after that change: registry, NewPush from the
// previous push, Generate and marshal for all 1,000 proxies.
func benchChange(b *testing.B, a, c benchInput) {
	proxies, keep := benchProxyList(), make([]ProxyResources, benchProxies)
	prev := NewPush(a.cfg, a.reg, nil)
	generateAll(b, prev, proxies, keep)
	inputs := [2]benchInput{c, a}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		in := inputs[i%2]
		reg, _ := registry.FromConfig(in.cfg)
		prev = NewPush(in.cfg, reg, prev)
		generateAll(b, prev, proxies, keep)
		i++
	}
}

func BenchmarkPushAfterVirtualServiceChange(b *testing.B) {
	benchChange(b, benchInputs(b, 80, 1, false), benchInputs(b, 50, 1, false))
}

func BenchmarkPushAfterEndpointChange(b *testing.B) {
	benchChange(b, benchInputs(b, 80, 1, false), benchInputs(b, 80, 7, false))
}

// The same with a Sidecar per proxy: 1,000 scopes instead of 10.
func BenchmarkFirstPush1000Sidecars(b *testing.B) {
	in := benchInputs(b, 80, 1, true)
	proxies, keep := benchProxyList(), make([]ProxyResources, benchProxies)
	b.ReportAllocs()
	for b.Loop() {
		generateAll(b, NewPush(in.cfg, in.reg, nil), proxies, keep)
	}
}

func BenchmarkPushAfterVirtualServiceChange1000Sidecars(b *testing.B) {
	benchChange(b, benchInputs(b, 80, 1, true), benchInputs(b, 50, 1, true))
}

func BenchmarkPushAfterEndpointChange1000Sidecars(b *testing.B) {
	benchChange(b, benchInputs(b, 80, 1, true), benchInputs(b, 80, 7, true))
}

// BenchmarkMemoryPerProxy reports the heap a push and 1,000 proxies'
// generated resources keep alive, per proxy.
func BenchmarkMemoryPerProxy(b *testing.B) {
	b.Run("no-sidecars", func(b *testing.B) { benchMemory(b, benchInputs(b, 80, 1, false)) })
	b.Run("sidecar-each", func(b *testing.B) { benchMemory(b, benchInputs(b, 80, 1, true)) })
}

func benchMemory(b *testing.B, in benchInput) {
	proxies := benchProxyList()
	for b.Loop() {
		keep := make([]ProxyResources, benchProxies)
		before := heapInUse()
		p := NewPush(in.cfg, in.reg, nil)
		generateAll(b, p, proxies, keep)
		after := heapInUse()
		runtime.KeepAlive(p)
		runtime.KeepAlive(keep)
		b.ReportMetric(float64(after-before)/benchProxies, "retained-B/proxy")
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
