package xdsserver

import (
	"fmt"
	"strconv"
	"sync"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	router "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/xds"
)

// testMesh is a synthetic push: services with endpoints, and one route
// configuration per namespace whose content the test varies. Every proxy of
// a namespace shares the same *xds.Resource values, as the real generator's do.
type testMesh struct {
	services  []string            // host names
	endpoints map[string][]string // host → addresses
	routeTag  map[string]string   // namespace → a value written into its route
}

func newTestMesh(services ...string) *testMesh {
	m := &testMesh{endpoints: map[string][]string{}, routeTag: map[string]string{}}
	for i, s := range services {
		m.services = append(m.services, s)
		m.endpoints[s] = []string{fmt.Sprintf("127.0.1.%d", i+1)}
	}
	return m
}

// clone copies the mesh so a test can change it for the next push.
func (m *testMesh) clone() *testMesh {
	c := &testMesh{services: append([]string(nil), m.services...), endpoints: map[string][]string{}, routeTag: map[string]string{}}
	for k, v := range m.endpoints {
		c.endpoints[k] = append([]string(nil), v...)
	}
	for k, v := range m.routeTag {
		c.routeTag[k] = v
	}
	return c
}

// generator builds the push: resources shared per namespace, built once.
func (m *testMesh) generator() Generator {
	clusters, endpoints := map[string]*xds.Resource{}, map[string]*xds.Resource{}
	for _, s := range m.services {
		name := "outbound|9080||" + s
		clusters[name] = xds.NewResource(resource.ClusterType, name, edsCluster(name))
		endpoints[name] = xds.NewResource(resource.EndpointType, name, loadAssignment(name, m.endpoints[s]))
	}
	lst := xds.NewResource(resource.ListenerType, "127.0.0.1_9080", rdsListener("127.0.0.1_9080", "9080"))
	var mu sync.Mutex
	routes := map[string]*xds.Resource{} // namespace → its route configuration
	return GeneratorFunc(func(p *xds.Proxy) xds.ProxyResources {
		ns := p.ID.Namespace
		mu.Lock()
		rc, ok := routes[ns]
		if !ok {
			rc = xds.NewResource(resource.RouteType, "9080", routeConfig("9080", m.services, m.routeTag[ns]))
			routes[ns] = rc
		}
		mu.Unlock()
		return xds.ProxyResources{
			resource.ClusterType:  clusters,
			resource.EndpointType: endpoints,
			resource.ListenerType: {lst.Name: lst},
			resource.RouteType:    {rc.Name: rc},
		}
	})
}

func edsCluster(name string) *cluster.Cluster {
	return &cluster.Cluster{
		Name:                 name,
		ClusterDiscoveryType: &cluster.Cluster_Type{Type: cluster.Cluster_EDS},
		EdsClusterConfig: &cluster.Cluster_EdsClusterConfig{
			EdsConfig:   &core.ConfigSource{ConfigSourceSpecifier: &core.ConfigSource_Ads{Ads: &core.AggregatedConfigSource{}}},
			ServiceName: name,
		},
	}
}

func loadAssignment(name string, addrs []string) *endpoint.ClusterLoadAssignment {
	var lbs []*endpoint.LbEndpoint
	for _, a := range addrs {
		lbs = append(lbs, &endpoint.LbEndpoint{HostIdentifier: &endpoint.LbEndpoint_Endpoint{Endpoint: &endpoint.Endpoint{
			Address: socketAddress(a, 9080),
		}}})
	}
	return &endpoint.ClusterLoadAssignment{ClusterName: name, Endpoints: []*endpoint.LocalityLbEndpoints{{LbEndpoints: lbs}}}
}

func socketAddress(host string, port uint32) *core.Address {
	return &core.Address{Address: &core.Address_SocketAddress{SocketAddress: &core.SocketAddress{
		Address: host, PortSpecifier: &core.SocketAddress_PortValue{PortValue: port},
	}}}
}

func rdsListener(name, routeName string) *listener.Listener {
	routerCfg, _ := anypb.New(&router.Router{})
	manager := &hcm.HttpConnectionManager{
		StatPrefix: name,
		RouteSpecifier: &hcm.HttpConnectionManager_Rds{Rds: &hcm.Rds{
			RouteConfigName: routeName,
			ConfigSource:    &core.ConfigSource{ConfigSourceSpecifier: &core.ConfigSource_Ads{Ads: &core.AggregatedConfigSource{}}},
		}},
		HttpFilters: []*hcm.HttpFilter{{Name: "envoy.filters.http.router", ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: routerCfg}}},
	}
	cfg, _ := anypb.New(manager)
	return &listener.Listener{
		Name:    name,
		Address: socketAddress("127.0.0.1", 9080),
		FilterChains: []*listener.FilterChain{{Filters: []*listener.Filter{{
			Name: "envoy.filters.network.http_connection_manager", ConfigType: &listener.Filter_TypedConfig{TypedConfig: cfg},
		}}}},
	}
}

func routeConfig(name string, hosts []string, tag string) *route.RouteConfiguration {
	rc := &route.RouteConfiguration{Name: name}
	for _, h := range hosts {
		rc.VirtualHosts = append(rc.VirtualHosts, &route.VirtualHost{
			Name:    h + ":9080",
			Domains: []string{h, h + ":9080"},
			Routes: []*route.Route{{
				Match: &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}},
				Action: &route.Route_Route{Route: &route.RouteAction{
					ClusterSpecifier: &route.RouteAction_Cluster{Cluster: "outbound|9080||" + h},
				}},
				Name: tag,
			}},
		})
	}
	return rc
}

// testNode is the node a sidecar for workload in ns presents.
func testNode(workload, ns string, ip int) *core.Node {
	return &core.Node{
		Id: fmt.Sprintf("sidecar~127.0.2.%s~%s.%s~%s.svc.cluster.local", strconv.Itoa(ip), workload, ns, ns),
		Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{
			"NAMESPACE": structpb.NewStringValue(ns),
		}},
	}
}
