package cluster

import (
	"net/netip"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestDecodeEndpoints(t *testing.T) {
	unhealthy := lbEndpoint("10.0.0.2", 9080)
	unhealthy.HealthStatus = corev3.HealthStatus_UNHEALTHY
	weighted := lbEndpoint("::1", 9080)
	weighted.LoadBalancingWeight = wrapperspb.UInt32(5)
	healthy := lbEndpoint("10.0.0.1", 9080)
	healthy.HealthStatus = corev3.HealthStatus_HEALTHY
	cla := &endpointv3.ClusterLoadAssignment{ClusterName: edsName, Endpoints: []*endpointv3.LocalityLbEndpoints{
		{
			Locality:            &corev3.Locality{Region: "eu", Zone: "eu-1", SubZone: "a"},
			LoadBalancingWeight: wrapperspb.UInt32(3),
			LbEndpoints:         []*endpointv3.LbEndpoint{healthy, unhealthy},
		},
		{Priority: 1, LbEndpoints: []*endpointv3.LbEndpoint{weighted}},
	}}
	want := &Endpoints{ClusterName: edsName, Localities: []Locality{
		{Region: "eu", Zone: "eu-1", SubZone: "a", Weight: 3, Endpoints: []Endpoint{
			{Addr: netip.MustParseAddrPort("10.0.0.1:9080"), Weight: 1, Healthy: true},
			{Addr: netip.MustParseAddrPort("10.0.0.2:9080"), Weight: 1, Healthy: false},
		}},
		{Priority: 1, Endpoints: []Endpoint{{Addr: netip.MustParseAddrPort("[::1]:9080"), Weight: 5, Healthy: true}}},
	}}
	got, err := DecodeEndpoints(cla)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, netipComparer); diff != "" {
		t.Errorf("DecodeEndpoints (-want +got):\n%s", diff)
	}
}

func TestDecodeEndpointsErrors(t *testing.T) {
	tests := []struct {
		name string
		cla  *endpointv3.ClusterLoadAssignment
		want string
	}{
		{
			name: "no cluster name",
			cla:  &endpointv3.ClusterLoadAssignment{},
			want: `endpoints "": invalid: invalid ClusterLoadAssignment.ClusterName: value length must be at least 1 runes`,
		},
		{
			name: "hostname",
			cla: &endpointv3.ClusterLoadAssignment{ClusterName: "c", Endpoints: []*endpointv3.LocalityLbEndpoints{
				{LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("reviews", 9080)}},
			}},
			want: `endpoints c: endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: "reviews": must be an IP address`,
		},
		{
			name: "drop overloads policy",
			cla:  &endpointv3.ClusterLoadAssignment{ClusterName: "c", Policy: &endpointv3.ClusterLoadAssignment_Policy{}},
			want: "endpoints c: policy: not supported",
		},
		{
			name: "named endpoint",
			cla: &endpointv3.ClusterLoadAssignment{ClusterName: "c", Endpoints: []*endpointv3.LocalityLbEndpoints{
				{LbEndpoints: []*endpointv3.LbEndpoint{{HostIdentifier: &endpointv3.LbEndpoint_EndpointName{EndpointName: "x"}}}},
			}},
			want: "endpoints c: endpoints[0].lb_endpoints[0].endpoint_name: not supported",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeEndpoints(tt.cla)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("DecodeEndpoints error:\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}
