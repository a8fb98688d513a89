package xds

import (
	"iter"
	"maps"
	"slices"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
)

func mapsKeys[V any](m map[string]V) iter.Seq[string] { return maps.Keys(m) }

// checkResources asserts what every generated set must satisfy: each message
// passes ValidateAll and marshals, names match map keys, and the set is
// consistent (like go-control-plane's Snapshot.Consistent): every route
// configuration a listener names exists, every cluster a route or TCP proxy
// names exists, every EDS cluster has its load assignment.
func checkResources(t *testing.T, res ProxyResources) {
	t.Helper()
	for typ, byName := range res {
		for name, r := range byName {
			if r.Name != name || r.TypeURL != typ {
				t.Errorf("resource %s %q filed under %s %q", r.TypeURL, r.Name, typ, name)
			}
			if v, ok := r.Message.(interface{ ValidateAll() error }); !ok {
				t.Errorf("%s %q: no ValidateAll", typ, name)
			} else if err := v.ValidateAll(); err != nil {
				t.Errorf("%s %q: %v", typ, name, err)
			}
			if _, _, err := r.Marshaled(); err != nil {
				t.Errorf("%s %q: %v", typ, name, err)
			}
		}
	}
	clusters := res[resourcev3.ClusterType]
	for name, r := range res[resourcev3.ListenerType] {
		for _, f := range r.Message.(*listenerv3.Listener).GetFilterChains()[0].GetFilters() {
			checkFilter(t, name, f, res)
		}
	}
	for name, r := range res[resourcev3.RouteType] {
		checkRouteClusters(t, name, r.Message.(*routev3.RouteConfiguration), clusters)
	}
	for name, r := range clusters {
		c := r.Message.(*clusterv3.Cluster)
		if c.GetType() == clusterv3.Cluster_EDS && res[resourcev3.EndpointType][c.GetEdsClusterConfig().GetServiceName()] == nil {
			t.Errorf("EDS cluster %s: no load assignment %q", name, c.GetEdsClusterConfig().GetServiceName())
		}
	}
}

func checkFilter(t *testing.T, listener string, f *listenerv3.Filter, res ProxyResources) {
	t.Helper()
	switch f.GetName() {
	case hcmFilterName:
		var hcm hcmv3.HttpConnectionManager
		if err := f.GetTypedConfig().UnmarshalTo(&hcm); err != nil {
			t.Fatalf("listener %s: %v", listener, err)
		}
		if rc := hcm.GetRouteConfig(); rc != nil {
			checkRouteClusters(t, listener, rc, res[resourcev3.ClusterType])
		} else if res[resourcev3.RouteType][hcm.GetRds().GetRouteConfigName()] == nil {
			t.Errorf("listener %s: no route configuration %q", listener, hcm.GetRds().GetRouteConfigName())
		}
	case tcpProxyFilterName:
		var tcp tcpv3.TcpProxy
		if err := f.GetTypedConfig().UnmarshalTo(&tcp); err != nil {
			t.Fatalf("listener %s: %v", listener, err)
		}
		if res[resourcev3.ClusterType][tcp.GetCluster()] == nil {
			t.Errorf("listener %s: no cluster %q", listener, tcp.GetCluster())
		}
	default:
		t.Errorf("listener %s: unexpected filter %s", listener, f.GetName())
	}
}

func checkRouteClusters(t *testing.T, where string, rc *routev3.RouteConfiguration, clusters map[string]*Resource) {
	t.Helper()
	for _, vh := range rc.GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			names := []string{r.GetRoute().GetCluster()}
			for _, w := range r.GetRoute().GetWeightedClusters().GetClusters() {
				names = append(names, w.GetName())
			}
			for _, n := range names {
				if n != "" && clusters[n] == nil {
					t.Errorf("%s: virtual host %s route %q: no cluster %q", where, vh.GetName(), r.GetName(), n)
				}
			}
		}
	}
}

func slicesSort(s []string) { slices.Sort(s) }
