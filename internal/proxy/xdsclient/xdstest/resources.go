package xdstest

import (
	"strconv"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Reviews is the EDS cluster of BaseMesh.
const Reviews = "outbound|9080||reviews.default.svc.cluster.local"

// Resources are a node's resources by type.
type Resources struct {
	Listeners, Routes, Clusters, Endpoints []types.Resource
}

// BaseMesh is a consistent set: listener 127.0.0.1_9080 → route
// configuration "9080" → EDS cluster Reviews → endpoints at ips:9080.
func BaseMesh(t testing.TB, ips ...string) Resources {
	return Resources{
		Listeners: []types.Resource{HTTPListener(t, 9080, "9080")},
		Routes:    []types.Resource{RouteConfig("9080", Reviews)},
		Clusters:  []types.Resource{EDSCluster(Reviews)},
		Endpoints: []types.Resource{Endpoints(Reviews, ips...)},
	}
}

// ListenerName is the outbound listener name for a port on 127.0.0.1.
func ListenerName(port uint32) string { return "127.0.0.1_" + strconv.FormatUint(uint64(port), 10) }

// ADS is the config source {ads: {}}.
func ADS() *corev3.ConfigSource {
	return &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}}}
}

// MustAny packs m.
func MustAny(t testing.TB, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Socket is a TCP socket address.
func Socket(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

// HTTPListener is an outbound HTTP listener on 127.0.0.1:port routed by RDS.
func HTTPListener(t testing.TB, port uint32, routeName string) *listenerv3.Listener {
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix:     "outbound_127.0.0.1_" + strconv.FormatUint(uint64(port), 10),
		RouteSpecifier: &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{ConfigSource: ADS(), RouteConfigName: routeName}},
		HttpFilters: []*hcmv3.HttpFilter{{Name: "envoy.filters.http.router",
			ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: MustAny(t, &routerv3.Router{})}}},
	}
	return &listenerv3.Listener{
		Name:             ListenerName(port),
		Address:          Socket("127.0.0.1", port),
		TrafficDirection: corev3.TrafficDirection_OUTBOUND,
		FilterChains: []*listenerv3.FilterChain{{Filters: []*listenerv3.Filter{{
			Name: "envoy.filters.network.http_connection_manager", ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: MustAny(t, hcm)},
		}}}},
	}
}

// BadListener uses a network filter the proxy does not implement.
func BadListener(t testing.TB, port uint32) *listenerv3.Listener {
	l := HTTPListener(t, port, "x")
	l.FilterChains[0].Filters[0] = &listenerv3.Filter{Name: "envoy.filters.network.redis_proxy",
		ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: MustAny(t, &structpb.Struct{})}}
	return l
}

// RouteConfig has one catch-all virtual host with a prefix route per cluster.
func RouteConfig(name string, clusters ...string) *routev3.RouteConfiguration {
	var routes []*routev3.Route
	for _, c := range clusters {
		routes = append(routes, &routev3.Route{
			Match:  &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
			Action: &routev3.Route_Route{Route: &routev3.RouteAction{ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: c}}},
		})
	}
	return &routev3.RouteConfiguration{Name: name, VirtualHosts: []*routev3.VirtualHost{{Name: "vh", Domains: []string{"*"}, Routes: routes}}}
}

// EDSCluster is an EDS cluster whose service name is its name.
func EDSCluster(name string) *clusterv3.Cluster {
	return &clusterv3.Cluster{
		Name:                 name,
		ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS},
		EdsClusterConfig:     &clusterv3.Cluster_EdsClusterConfig{EdsConfig: ADS(), ServiceName: name},
	}
}

// Endpoints lists ips at port 9080.
func Endpoints(name string, ips ...string) *endpointv3.ClusterLoadAssignment {
	var lbs []*endpointv3.LbEndpoint
	for _, ip := range ips {
		lbs = append(lbs, &endpointv3.LbEndpoint{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: Socket(ip, 9080)}}})
	}
	return &endpointv3.ClusterLoadAssignment{ClusterName: name, Endpoints: []*endpointv3.LocalityLbEndpoints{{LbEndpoints: lbs}}}
}

// InboundListener is an inbound HTTP listener on ip:port whose inline route
// configuration sends everything to StaticCluster "inbound|<port>||".
func InboundListener(t testing.TB, ip string, port uint32) *listenerv3.Listener {
	p := strconv.FormatUint(uint64(port), 10)
	rc := RouteConfig("inbound|"+p+"||", "inbound|"+p+"||")
	rc.VirtualHosts[0].Name = "inbound|http|" + p
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix:     "inbound_" + ip + "_" + p,
		RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: rc},
		HttpFilters: []*hcmv3.HttpFilter{{Name: "envoy.filters.http.router",
			ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: MustAny(t, &routerv3.Router{})}}},
	}
	return &listenerv3.Listener{
		Name:             ip + "_" + p,
		Address:          Socket(ip, port),
		TrafficDirection: corev3.TrafficDirection_INBOUND,
		FilterChains: []*listenerv3.FilterChain{{Filters: []*listenerv3.Filter{{
			Name: "envoy.filters.network.http_connection_manager", ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: MustAny(t, hcm)},
		}}}},
	}
}

// StaticCluster is a STATIC cluster with one endpoint, like an inbound one.
func StaticCluster(name, ip string, port uint32) *clusterv3.Cluster {
	la := Endpoints(name, ip)
	la.Endpoints[0].LbEndpoints[0].GetEndpoint().Address = Socket(ip, port)
	return &clusterv3.Cluster{
		Name:                 name,
		ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STATIC},
		LoadAssignment:       la,
	}
}
