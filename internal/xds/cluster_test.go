package xds

import (
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/loom-mesh/loom/internal/registry"
)

func lbEndpoint(addr string, port, weight uint32) *endpointv3.LbEndpoint {
	return &endpointv3.LbEndpoint{
		HostIdentifier:      &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: socketAddress(addr, port)}},
		HealthStatus:        corev3.HealthStatus_HEALTHY,
		LoadBalancingWeight: uint32Value(weight),
	}
}

func TestLoadAssignment(t *testing.T) {
	west := registry.Locality{Region: "us-west", Zone: "a"}
	eps := []*registry.Endpoint{
		{Address: "127.0.1.2", Port: 9080, Labels: map[string]string{"version": "v1"}, Weight: 1},
		{Address: "127.0.1.3", Port: 9080, Labels: map[string]string{"version": "v2"}, Weight: 3, Locality: west},
		{Address: "127.0.1.4", Port: 9080, Labels: map[string]string{"version": "v2"}, Weight: 2, Locality: west},
		{Address: "reviews.example.com", Port: 9080, Labels: map[string]string{"version": "v2"}, Weight: 1},
	}
	tests := []struct {
		name   string
		subset map[string]string
		ipOnly bool
		want   []*endpointv3.LocalityLbEndpoints
	}{
		{"grouped by locality, sorted, weights summed", nil, true, []*endpointv3.LocalityLbEndpoints{
			{Locality: &corev3.Locality{}, LoadBalancingWeight: uint32Value(1), LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("127.0.1.2", 9080, 1)}},
			{Locality: &corev3.Locality{Region: "us-west", Zone: "a"}, LoadBalancingWeight: uint32Value(5),
				LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("127.0.1.3", 9080, 3), lbEndpoint("127.0.1.4", 9080, 2)}},
		}},
		{"subset labels filter", map[string]string{"version": "v1"}, true, []*endpointv3.LocalityLbEndpoints{
			{Locality: &corev3.Locality{}, LoadBalancingWeight: uint32Value(1), LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("127.0.1.2", 9080, 1)}},
		}},
		{"host names kept for DNS", map[string]string{"version": "v2"}, false, []*endpointv3.LocalityLbEndpoints{
			{Locality: &corev3.Locality{}, LoadBalancingWeight: uint32Value(1), LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("reviews.example.com", 9080, 1)}},
			{Locality: &corev3.Locality{Region: "us-west", Zone: "a"}, LoadBalancingWeight: uint32Value(5),
				LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("127.0.1.3", 9080, 3), lbEndpoint("127.0.1.4", 9080, 2)}},
		}},
		{"subset matching nothing", map[string]string{"version": "v9"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadAssignment("c", eps, tt.subset, tt.ipOnly)
			want := &endpointv3.ClusterLoadAssignment{ClusterName: "c", Endpoints: tt.want}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("loadAssignment (-want +got):\n%s", diff)
			}
			if err := got.ValidateAll(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestClusterTrafficPolicy(t *testing.T) {
	p := pushFrom(t, scenarioMesh+`
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 2s}
      http: {http1MaxPendingRequests: 10, http2MaxRequests: 200, maxRetries: 4, idleTimeout: 30s, maxRequestsPerConnection: 5}
    portLevelSettings:
    - port: {number: 9090}
      loadBalancer: {simple: RANDOM}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      connectionPool: {http: {useClientProtocol: true}}
      portLevelSettings:
      - port: {number: 9090}
        loadBalancer: {simple: LEAST_REQUEST}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      connectionPool: {http: {h2UpgradePolicy: UPGRADE}}
`)
	res := generateChecked(t, p, proxyFor("default", "client", "127.0.1.9"))
	cluster := func(name string) *clusterv3.Cluster {
		return message[*clusterv3.Cluster](t, res, resourcev3.ClusterType, name)
	}
	options := func(c *clusterv3.Cluster) *httpv3.HttpProtocolOptions {
		var o httpv3.HttpProtocolOptions
		if err := c.GetTypedExtensionProtocolOptions()[httpProtocolOptionsKey].UnmarshalTo(&o); err != nil {
			t.Fatalf("%s: %v", c.GetName(), err)
		}
		return &o
	}
	base := cluster("outbound|9080||reviews.default.svc.cluster.local")
	wantLimits := &clusterv3.CircuitBreakers_Thresholds{
		MaxConnections: uint32Value(100), MaxPendingRequests: uint32Value(10), MaxRequests: uint32Value(200), MaxRetries: uint32Value(4),
	}
	if diff := cmp.Diff(wantLimits, base.GetCircuitBreakers().GetThresholds()[0], protocmp.Transform()); diff != "" {
		t.Errorf("circuit breakers (-want +got):\n%s", diff)
	}
	if base.GetLbPolicy() != clusterv3.Cluster_ROUND_ROBIN || base.GetConnectTimeout().AsDuration() != 2*time.Second {
		t.Errorf("base: lb %v, connect timeout %v", base.GetLbPolicy(), base.GetConnectTimeout().AsDuration())
	}
	wantCommon := &corev3.HttpProtocolOptions{IdleTimeout: durationpb.New(30 * time.Second), MaxRequestsPerConnection: uint32Value(5)}
	if diff := cmp.Diff(wantCommon, options(base).GetCommonHttpProtocolOptions(), protocmp.Transform()); diff != "" {
		t.Errorf("common HTTP options (-want +got):\n%s", diff)
	}
	// A port-level entry replaces every section: its loadBalancer, and the
	// default connection pool (not the rule's), as Istio.
	port9090 := cluster("outbound|9090||reviews.default.svc.cluster.local")
	if got := port9090.GetLbPolicy(); got != clusterv3.Cluster_RANDOM {
		t.Errorf("port-level lb: %v, want RANDOM", got)
	}
	if got := port9090.GetCircuitBreakers().GetThresholds()[0].GetMaxConnections().GetValue(); got != 1<<32-1 {
		t.Errorf("port-level entry without connectionPool: max_connections %d, want the default (unlimited)", got)
	}
	if got := port9090.GetConnectTimeout().AsDuration(); got != 10*time.Second {
		t.Errorf("port-level entry without connectionPool: connect timeout %v, want the default 10s", got)
	}
	// The v1 subset's port-level entry for 9090 replaces the rule's.
	if got := cluster("outbound|9090|v1|reviews.default.svc.cluster.local").GetLbPolicy(); got != clusterv3.Cluster_LEAST_REQUEST {
		t.Errorf("v1 subset port-level lb: %v, want LEAST_REQUEST", got)
	}
	// The subset's connectionPool replaces the rule's whole: no limits left.
	v1 := cluster("outbound|9080|v1|reviews.default.svc.cluster.local")
	if options(v1).GetUseDownstreamProtocolConfig() == nil || v1.GetCircuitBreakers().GetThresholds()[0].GetMaxConnections().GetValue() != 1<<32-1 {
		t.Errorf("v1: %v", v1)
	}
	if v1.GetLbPolicy() != clusterv3.Cluster_ROUND_ROBIN {
		t.Errorf("v1 lb %v: the rule's loadBalancer should still apply", v1.GetLbPolicy())
	}
	if options(cluster("outbound|9080|v2|reviews.default.svc.cluster.local")).GetExplicitHttpConfig().GetHttp2ProtocolOptions() == nil {
		t.Error("v2: h2UpgradePolicy UPGRADE should give HTTP/2")
	}
	// Subset load assignments hold only their endpoints.
	cla := message[*endpointv3.ClusterLoadAssignment](t, res, resourcev3.EndpointType, "outbound|9080|v1|reviews.default.svc.cluster.local")
	if n := len(cla.GetEndpoints()); n != 1 {
		t.Errorf("v1 endpoints: %v", cla)
	}
	if cla := message[*endpointv3.ClusterLoadAssignment](t, res, resourcev3.EndpointType, "outbound|9080|v2|reviews.default.svc.cluster.local"); len(cla.GetEndpoints()) != 0 {
		t.Errorf("v2 has no workloads, got %v", cla)
	}
}
