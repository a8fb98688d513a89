package registry

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/loom-mesh/loom/internal/config"
)

// parse reads YAML config the way the control plane does.
func parse(t *testing.T, yaml string) *config.Snapshot {
	t.Helper()
	objs, problems := config.ParseBytes("test.yaml", []byte(yaml))
	for _, p := range problems {
		if p.Severity == config.SeverityError {
			t.Fatalf("config: %s", p)
		}
	}
	return config.NewSnapshot(1, objs, nil)
}

// endpointView is what a test compares of an endpoint.
type endpointView struct {
	Addr     string
	Labels   string
	Locality string
	Weight   uint32
	SA       string
	Workload string
}

func viewEndpoints(eps []*Endpoint) []endpointView {
	var out []endpointView
	for _, e := range eps {
		v := endpointView{
			Addr:     fmt.Sprintf("%s:%d", e.Address, e.Port),
			Labels:   fmt.Sprint(e.Labels),
			Locality: e.Locality.String(),
			Weight:   e.Weight,
			SA:       e.ServiceAccount,
		}
		if e.Workload != nil {
			v.Workload = e.Workload.Namespace + "/" + e.Workload.Name
		}
		out = append(out, v)
	}
	return out
}

const reviewsYAML = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {number: 9080, name: http, protocol: HTTP}
  - {number: 9443, name: admin, protocol: HTTP, targetPort: 19443}
  - {number: 7000, name: tcp-raw}
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1, namespace: default}
spec:
  address: 127.0.1.10
  labels: {app: reviews, version: v1}
  serviceAccount: bookinfo-reviews
  locality: us-east/a/rack1
  ports: {http: 19080}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v2, namespace: default}
spec:
  address: 127.0.1.2
  labels: {app: reviews, version: v2}
  weight: 3
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-other-ns, namespace: prod}
spec:
  address: 127.0.1.3
  labels: {app: reviews}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-v1, namespace: default}
spec:
  address: 127.0.1.4
  labels: {app: ratings}
`

func TestFromConfigWorkloadSelector(t *testing.T) {
	reg, problems := FromConfig(parse(t, reviewsYAML))
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	const host = "reviews.default.svc.cluster.local"
	svc := reg.Service(host)
	if svc == nil {
		t.Fatalf("no service %s; have %v", host, reg.Services())
	}
	wantPorts := []Port{
		{Name: "tcp-raw", Number: 7000, Protocol: ProtocolTCP},
		{Name: "http", Number: 9080, Protocol: ProtocolHTTP},
		{Name: "admin", Number: 9443, Protocol: ProtocolHTTP, TargetPort: 19443},
	}
	if diff := cmp.Diff(wantPorts, svc.Ports); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	v2 := endpointView{Labels: "map[app:reviews version:v2]", Weight: 3, Workload: "default/reviews-v2"}
	v1 := endpointView{Labels: "map[app:reviews version:v1]", Locality: "us-east/a/rack1", Weight: 1,
		SA: "bookinfo-reviews", Workload: "default/reviews-v1"}
	tests := []struct {
		port uint32
		want []endpointView
	}{
		// The workload's named port wins; 127.0.1.2 sorts before 127.0.1.10.
		{9080, []endpointView{with(v2, "127.0.1.2:9080"), with(v1, "127.0.1.10:19080")}},
		// No named port on the workload: the targetPort.
		{9443, []endpointView{with(v2, "127.0.1.2:19443"), with(v1, "127.0.1.10:19443")}},
		// Neither: the service port.
		{7000, []endpointView{with(v2, "127.0.1.2:7000"), with(v1, "127.0.1.10:7000")}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.port), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, viewEndpoints(reg.Endpoints(host, tt.port))); diff != "" {
				t.Errorf("endpoints (-want +got):\n%s", diff)
			}
		})
	}
	w := reg.Workload("default", "reviews-v1")
	if w == nil || len(reg.ServicesOf(w)) != 1 || reg.ServicesOf(w)[0] != svc {
		t.Errorf("ServicesOf(reviews-v1) = %v, want [%s]", reg.ServicesOf(w), host)
	}
	if got := reg.ServicesOf(reg.Workload("default", "ratings-v1")); len(got) != 0 {
		t.Errorf("ServicesOf(ratings-v1) = %v, want none", got)
	}
}

func TestFromConfigInlineEndpointsAndResolution(t *testing.T) {
	reg, problems := FromConfig(parse(t, `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: egress}
spec:
  hosts: [api.example.com, api2.example.com]
  addresses: [240.0.0.1]
  location: MESH_EXTERNAL
  resolution: DNS
  exportTo: ["."]
  ports: [{number: 443, name: tls, protocol: TLS}]
  endpoints:
  - {address: us.api.example.com, locality: us}
  - {address: eu.api.example.com, locality: eu, weight: 2}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: passthrough, namespace: egress}
spec:
  hosts: [db.internal]
  ports: [{number: 5432, name: tcp}]
`))
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	tests := []struct {
		host       string
		resolution Resolution
		external   bool
		visible    bool // to namespace default
		endpoints  []string
	}{
		{"api.example.com", ResolutionDNS, true, false, []string{"eu.api.example.com:443", "us.api.example.com:443"}},
		{"api2.example.com", ResolutionDNS, true, false, []string{"eu.api.example.com:443", "us.api.example.com:443"}},
		{"db.internal", ResolutionNone, true, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			svc := reg.Service(tt.host)
			if svc == nil {
				t.Fatal("missing")
			}
			if svc.Resolution != tt.resolution || svc.MeshExternal != tt.external || svc.ExportTo.VisibleTo("default") != tt.visible {
				t.Errorf("got resolution %v external %v visible %v", svc.Resolution, svc.MeshExternal, svc.ExportTo.VisibleTo("default"))
			}
			var got []string
			for _, e := range reg.Endpoints(tt.host, svc.Ports[0].Number) {
				got = append(got, fmt.Sprintf("%s:%d", e.Address, e.Port))
				if e.Workload != nil {
					t.Errorf("inline endpoint %s has workload %v", e.Address, e.Workload)
				}
			}
			if diff := cmp.Diff(tt.endpoints, got); diff != "" {
				t.Errorf("endpoints (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromConfigProblems(t *testing.T) {
	_, problems := FromConfig(parse(t, `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: a, namespace: default}
spec:
  hosts: [shared.example.com]
  ports: [{number: 80, name: http}]
  resolution: STATIC
  workloadSelector: {labels: {app: x}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: b, namespace: default}
spec:
  hosts: [shared.example.com]
  ports: [{number: 80, name: http}]
  resolution: STATIC
  endpoints: [{address: "unix:///tmp/sock"}, {address: backend.example.com}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: c, namespace: default}
spec:
  hosts: [c.example.com]
  ports: [{number: 80, name: http}]
  resolution: STATIC
  workloadSelector: {labels: {app: x}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: x, namespace: default}
spec:
  labels: {app: x}
  serviceAccount: x
`))
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"warning: WorkloadEntry default/x: spec.address: no address: this endpoint receives no traffic",
		"warning: ServiceEntry default/b: spec.endpoints[0].address: Unix domain socket endpoints are not supported yet; this endpoint receives no traffic",
		`warning: ServiceEntry default/b: spec.endpoints[1].address: "backend.example.com" is not an IP address, which resolution STATIC needs; this endpoint receives no traffic`,
		"warning: ServiceEntry default/b: spec.hosts[0]: shared.example.com is already declared by ServiceEntry default/a; this declaration is ignored",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestRevisions(t *testing.T) {
	base := parse(t, reviewsYAML)
	reg1, _ := FromConfig(base)
	reg2, _ := FromConfig(base)
	const host = "reviews.default.svc.cluster.local"
	if reg1.Service(host).Revision != reg2.Service(host).Revision ||
		reg1.EndpointsRevision(host, 9080) != reg2.EndpointsRevision(host, 9080) {
		t.Fatal("the same config gave different revisions")
	}
	moved := parse(t, strings.Replace(reviewsYAML, "127.0.1.2", "127.0.1.5", 1))
	reg3, _ := FromConfig(moved)
	if reg3.Service(host).Revision != reg1.Service(host).Revision {
		t.Error("an endpoint change changed the service revision")
	}
	if reg3.EndpointsRevision(host, 9080) == reg1.EndpointsRevision(host, 9080) {
		t.Error("an endpoint change kept the endpoints revision")
	}
	ported := parse(t, strings.Replace(reviewsYAML, "number: 7000", "number: 7001", 1))
	reg4, _ := FromConfig(ported)
	if reg4.Service(host).Revision == reg1.Service(host).Revision {
		t.Error("a port change kept the service revision")
	}
}

func with(v endpointView, addr string) endpointView {
	v.Addr = addr
	return v
}
