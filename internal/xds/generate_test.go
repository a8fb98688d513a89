package xds

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// pushFrom builds a push from YAML, failing on registry problems.
func pushFrom(t testing.TB, yaml string) *Push {
	t.Helper()
	cfg := parseConfig(t, yaml)
	reg, problems := registry.FromConfig(cfg)
	if len(problems) > 0 {
		t.Fatalf("registry: %v", problems)
	}
	return NewPush(cfg, reg, nil)
}

func proxyFor(ns, workload, ip string) *Proxy {
	return &Proxy{
		ID:       xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: netip.MustParseAddr(ip), Workload: workload, Namespace: ns},
		Workload: workload,
	}
}

// generateChecked generates for a proxy and asserts the set is valid and consistent.
func generateChecked(t *testing.T, p *Push, proxy *Proxy) ProxyResources {
	t.Helper()
	res := p.Generate(proxy)
	checkResources(t, res)
	return res
}

func message[M proto.Message](t *testing.T, res ProxyResources, typeURL, name string) M {
	t.Helper()
	r := res[typeURL][name]
	if r == nil {
		t.Fatalf("no %s %q; have %v", typeURL, name, keys(res[typeURL]))
	}
	return r.Message.(M)
}

// virtualHost returns the named virtual host of a route configuration.
func virtualHost(t *testing.T, res ProxyResources, routeConfig, name string) *routev3.VirtualHost {
	t.Helper()
	for _, vh := range message[*routev3.RouteConfiguration](t, res, resourcev3.RouteType, routeConfig).GetVirtualHosts() {
		if vh.GetName() == name {
			return vh
		}
	}
	t.Fatalf("route configuration %s has no virtual host %s", routeConfig, name)
	return nil
}

func keys(m map[string]*Resource) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

const scenarioMesh = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews}
spec:
  hosts: [reviews]
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}, {number: 9090, name: grpc, protocol: GRPC}]
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ratings}
spec:
  hosts: [ratings]
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: ratings}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db}
spec:
  hosts: [db]
  resolution: STATIC
  ports: [{number: 5432, name: tcp-postgres}]
  endpoints: [{address: 127.0.5.1}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: egress}
spec:
  hosts: [api.example.com]
  addresses: [240.0.0.7]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 8080, name: http, protocol: HTTP}]
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1}
spec: {address: 127.0.1.3, labels: {app: reviews, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-v1}
spec: {address: 127.0.1.6, labels: {app: ratings, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: client}
spec: {address: 127.0.1.9, labels: {app: client}}
`

func TestSingleHostEgressTakesEveryAuthority(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: client}
spec:
  workloadSelector: {labels: {app: client}}
  egress:
  - port: {number: 9080, protocol: HTTP, name: http}
    bind: 127.0.2.9
    hosts: [./ratings]
  - port: {number: 9081, protocol: HTTP, name: http-multi}
    hosts: ["./*"]
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	rc := message[*routev3.RouteConfiguration](t, res, resourcev3.RouteType, "9080")
	if len(rc.GetVirtualHosts()) != 1 || !cmp.Equal(rc.GetVirtualHosts()[0].GetDomains(), []string{"*"}) {
		t.Errorf("single-host listener: virtual hosts %v, want one with domains [*]", rc.GetVirtualHosts())
	}
	// A listener whose port no imported service has still exists, with an
	// empty route configuration (404), and the push says why.
	empty := message[*routev3.RouteConfiguration](t, res, resourcev3.RouteType, "9081")
	if len(empty.GetVirtualHosts()) != 0 {
		t.Errorf("9081: virtual hosts %v, want none", empty.GetVirtualHosts())
	}
	message[*listenerv3.Listener](t, res, resourcev3.ListenerType, "127.0.0.1_9081")
	if ps := problemStrings(p.Problems()); len(ps) != 1 || !strings.Contains(ps[0], "spec.egress[1]: no imported service has port 9081") {
		t.Errorf("problems: %v", ps)
	}
}

func TestDefaultScope(t *testing.T) {
	p := pushFrom(t, scenarioMesh)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	wantListeners := []string{"127.0.0.1_5432", "127.0.0.1_8080", "127.0.0.1_9080", "127.0.0.1_9090"}
	if diff := cmp.Diff(wantListeners, sortedNames(res[resourcev3.ListenerType])); diff != "" {
		t.Errorf("listeners (-want +got):\n%s", diff)
	}
	// TCP: tcp_proxy to the one service on the port.
	l := message[*listenerv3.Listener](t, res, resourcev3.ListenerType, "127.0.0.1_5432")
	var tcp tcpv3.TcpProxy
	if err := l.GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(&tcp); err != nil || tcp.GetCluster() != "outbound|5432||db.default.svc.cluster.local" {
		t.Errorf("5432: tcp_proxy %v (%v)", &tcp, err)
	}
	// DNS: STRICT_DNS with the host itself as endpoint; no EDS.
	c := message[*clusterv3.Cluster](t, res, resourcev3.ClusterType, "outbound|8080||api.example.com")
	if c.GetType() != clusterv3.Cluster_STRICT_DNS ||
		c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress().GetAddress() != "api.example.com" {
		t.Errorf("DNS cluster: %v", c)
	}
	if res[resourcev3.EndpointType]["outbound|8080||api.example.com"] != nil {
		t.Error("DNS cluster has an EDS load assignment")
	}
	// GRPC: HTTP/2 upstream.
	grpc := message[*clusterv3.Cluster](t, res, resourcev3.ClusterType, "outbound|9090||reviews.default.svc.cluster.local")
	var opts httpv3.HttpProtocolOptions
	if err := grpc.GetTypedExtensionProtocolOptions()[httpProtocolOptionsKey].UnmarshalTo(&opts); err != nil ||
		opts.GetExplicitHttpConfig().GetHttp2ProtocolOptions() == nil {
		t.Errorf("gRPC cluster protocol options: %v (%v)", &opts, err)
	}
	// Domains, from namespace default: the external host and its address.
	rc := message[*routev3.RouteConfiguration](t, res, resourcev3.RouteType, "8080")
	want := []string{"api.example.com", "api.example.com:8080", "240.0.0.7", "240.0.0.7:8080"}
	if diff := cmp.Diff(want, rc.GetVirtualHosts()[0].GetDomains()); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
}

func sortedNames(m map[string]*Resource) []string {
	out := keys(m)
	slicesSort(out)
	return out
}

func TestVhostDomains(t *testing.T) {
	svc := &registry.Service{Hostname: "reviews.default.svc.cluster.local", Addresses: []string{"10.0.0.5", "fd00::5", "10.1.0.0/16"}}
	tests := []struct {
		ns   string
		want []string
	}{
		{"default", []string{
			"reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local:9080",
			"reviews", "reviews:9080", "reviews.default", "reviews.default:9080", "reviews.default.svc", "reviews.default.svc:9080",
			"10.0.0.5", "10.0.0.5:9080", "[fd00::5]", "[fd00::5]:9080",
		}},
		{"prod", []string{
			"reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local:9080",
			"reviews.default", "reviews.default:9080", "reviews.default.svc", "reviews.default.svc:9080",
			"10.0.0.5", "10.0.0.5:9080", "[fd00::5]", "[fd00::5]:9080",
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, vhostDomains(svc, 9080, tt.ns)); diff != "" {
			t.Errorf("from %s (-want +got):\n%s", tt.ns, diff)
		}
	}
	d := domainSet{}
	d.claim([]string{"a", "b"})
	if got := d.claim([]string{"b", "c"}); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("domainSet.claim = %v, want [c]", got)
	}
}

func TestSidecarSelection(t *testing.T) {
	cfg := parseConfig(t, `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: a-reviews}
spec: {workloadSelector: {labels: {app: reviews}}, egress: [{hosts: ["./*"]}]}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: b-reviews-v2}
spec: {workloadSelector: {labels: {app: reviews, version: v2}}, egress: [{hosts: ["./*"]}]}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: namespace-wide}
spec: {egress: [{hosts: ["./*"]}]}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: mesh-wide, namespace: istio-system}
spec: {egress: [{hosts: ["*/*"]}]}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: only-selecting, namespace: lab}
spec: {workloadSelector: {labels: {app: x}}, egress: [{hosts: ["./*"]}]}
`)
	ix := newSidecarIndex(cfg, RootNamespace)
	tests := []struct {
		name   string
		ns     string
		labels map[string]string
		want   string
	}{
		{"selector matches", "default", map[string]string{"app": "reviews", "version": "v1"}, "a-reviews"},
		{"first by name wins among matches", "default", map[string]string{"app": "reviews", "version": "v2"}, "a-reviews"},
		{"no selector matches: namespace's own", "default", map[string]string{"app": "ratings"}, "namespace-wide"},
		{"unknown workload: namespace's own", "default", nil, "namespace-wide"},
		{"namespace without one: root's", "prod", map[string]string{"app": "reviews"}, "mesh-wide"},
		{"only selecting ones, none matching: root's", "lab", map[string]string{"app": "y"}, "mesh-wide"},
		{"only selecting ones, matching", "lab", map[string]string{"app": "x"}, "only-selecting"},
	}
	for _, tt := range tests {
		got := ""
		if o := ix.forWorkload(tt.ns, tt.labels); o != nil {
			got = o.Name
		}
		if got != tt.want {
			t.Errorf("%s: Sidecar %q, want %q", tt.name, got, tt.want)
		}
	}
	if o := (&sidecarIndex{byNS: map[string]*namespaceSidecars{}, rootNS: RootNamespace}).forWorkload("default", nil); o != nil {
		t.Errorf("no Sidecars at all: got %v", o.Key)
	}
}

func TestRouteProblems(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews, nowhere]
  http:
  - route:
    - {destination: {host: reviews, subset: v9}, weight: 50}
    - {destination: {host: ghost}, weight: 50}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: client}
spec:
  workloadSelector: {labels: {app: client}}
  egress: [{hosts: [./reviews, ./missing.default.svc.cluster.local]}]
`)
	want := []string{
		"warning: Sidecar default/client: spec.egress[0].hosts[1]: \"./missing.default.svc.cluster.local\" matches no service visible to namespace default",
		"warning: VirtualService default/reviews: spec.hosts[1]: no service nowhere.default.svc.cluster.local is known; nothing is routed for it",
		"warning: VirtualService default/reviews: spec.http[0].route[0].destination.subset: no DestinationRule defines subset \"v9\" of reviews.default.svc.cluster.local; requests routed there fail (503)",
		"warning: VirtualService default/reviews: spec.http[0].route[1].destination.host: no service ghost.default.svc.cluster.local is known; requests routed there fail (503)",
	}
	if diff := cmp.Diff(want, problemStrings(p.Problems())); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// The route still names both destinations, as Istio's would: the proxy
	// answers 503 for the missing ones.
	res := p.Generate(proxyFor("default", "client", "127.0.1.9"))
	rc := message[*routev3.RouteConfiguration](t, res, resourcev3.RouteType, "9080")
	var got []string
	for _, c := range rc.GetVirtualHosts()[0].GetRoutes()[0].GetRoute().GetWeightedClusters().GetClusters() {
		got = append(got, c.GetName())
	}
	wantClusters := []string{"outbound|9080|v9|reviews.default.svc.cluster.local", "outbound|9080||ghost.default.svc.cluster.local"}
	if diff := cmp.Diff(wantClusters, got); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
}

// A VirtualService none of whose HTTP routes applies to a listener's port or
// client (sourceLabels, port, TCP-only rules) leaves the service its default
// route, as Istio does, rather than a virtual host with no route (404).
func TestVirtualServiceWithoutApplicableRoutesKeepsDefaultRoute(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{sourceLabels: {app: productpage}}]
    route: [{destination: {host: reviews}}]
    timeout: 3s
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{port: 9999}]
    route: [{destination: {host: ratings}}]
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	for _, host := range []string{"reviews.default.svc.cluster.local:9080", "ratings.default.svc.cluster.local:9080"} {
		vh := virtualHost(t, res, "9080", host)
		if len(vh.GetRoutes()) != 1 || vh.GetRoutes()[0].GetName() != "default" {
			t.Errorf("%s: routes %v, want the default route", host, vh.GetRoutes())
		}
	}
}

// An egress port that names no protocol speaks what the imported services'
// port of that number does; HTTP routes for a service with no HTTP port are
// reported rather than silently unused.
func TestEgressPortProtocolAndHTTPRoutesOnTCP(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: client}
spec:
  workloadSelector: {labels: {app: client}}
  egress:
  - port: {number: 9080}
    bind: 127.0.2.9
    hosts: [./ratings]
  - port: {number: 5432}
    bind: 127.0.2.9
    hosts: [./db]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db}
spec:
  hosts: [db]
  http:
  - route: [{destination: {host: db}}]
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	if _, ok := res[resourcev3.RouteType]["9080"]; !ok {
		t.Errorf("egress port 9080 without protocol: no route configuration; want HTTP, as ratings' port 9080")
	}
	l := message[*listenerv3.Listener](t, res, resourcev3.ListenerType, "127.0.2.9_5432")
	if name := l.GetFilterChains()[0].GetFilters()[0].GetName(); name != "envoy.filters.network.tcp_proxy" {
		t.Errorf("egress port 5432 without protocol: filter %s, want tcp_proxy (db's port is TCP)", name)
	}
	want := "warning: VirtualService default/db: spec.hosts[0]: service db.default.svc.cluster.local has no HTTP port"
	found := false
	for _, s := range problemStrings(p.Problems()) {
		found = found || strings.HasPrefix(s, want)
	}
	if !found {
		t.Errorf("problems %v, want one starting %q", problemStrings(p.Problems()), want)
	}
}

// DestinationRules for one host in one namespace merge, as Istio's: subsets
// from all (the first definition of a name wins), the first traffic policy.
func TestDestinationRulesForOneHostMerge(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-a}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-b}
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
  subsets: [{name: v1, labels: {version: v9}}, {name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-c}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
  subsets: [{name: v2, labels: {version: v8}}]
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	for _, name := range []string{"outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v2|reviews.default.svc.cluster.local"} {
		c := message[*clusterv3.Cluster](t, res, resourcev3.ClusterType, name)
		if c.GetLbPolicy() != clusterv3.Cluster_ROUND_ROBIN {
			t.Errorf("%s: lb_policy %v, want ROUND_ROBIN (reviews-b's, the first traffic policy)", name, c.GetLbPolicy())
		}
	}
	eps := res[resourcev3.EndpointType]["outbound|9080|v1|reviews.default.svc.cluster.local"]
	if eps == nil || !strings.Contains(fmt.Sprint(eps.Message), "127.0.1.3") {
		t.Errorf("subset v1 endpoints %v, want reviews-a's v1 (127.0.1.3)", eps)
	}
	want := []string{
		`warning: DestinationRule default/reviews-b: spec.subsets[0]: subset "v1" is already defined by DestinationRule default/reviews-a for the same host; this one is ignored`,
		`warning: DestinationRule default/reviews-c: spec.subsets[0]: subset "v2" is already defined by DestinationRule default/reviews-b for the same host; this one is ignored`,
		`warning: DestinationRule default/reviews-c: spec.trafficPolicy: merged with DestinationRule default/reviews-b for the same host, whose traffic policy applies; this one is ignored`,
	}
	if diff := cmp.Diff(want, problemStrings(p.Problems())); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// derivePort FROM_REQUEST_PORT redirects to the port the request came in on:
// routes are built per listener port, so that is the listener's (as Istio).
func TestRedirectDerivePortFromRequest(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - redirect: {uri: /new, derivePort: FROM_REQUEST_PORT}
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	vh := virtualHost(t, res, "9080", "reviews.default.svc.cluster.local:9080")
	if got := vh.GetRoutes()[0].GetRedirect().GetPortRedirect(); got != 9080 {
		t.Errorf("port_redirect %d, want 9080", got)
	}
}

// A single destination's header operations follow the route's, so on the
// same header the destination's set wins, as in Istio.
func TestSingleDestinationHeaderOperationsFollowTheRoutes(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - headers: {request: {set: {x-a: route}}}
    route:
    - destination: {host: reviews}
      headers: {request: {set: {x-a: dest}}}
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	var got []string
	for _, h := range virtualHost(t, res, "9080", "reviews.default.svc.cluster.local:9080").GetRoutes()[0].GetRequestHeadersToAdd() {
		got = append(got, h.GetHeader().GetKey()+"="+h.GetHeader().GetValue())
	}
	if diff := cmp.Diff([]string{"x-a=route", "x-a=dest"}, got); diff != "" {
		t.Errorf("request_headers_to_add (-want +got):\n%s", diff)
	}
}
