package adstest

import (
	"fmt"
	"sort"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// endpointNames returns the EDS names the clusters need, as Envoy derives them.
func endpointNames(clusters map[string]*anypb.Any) ([]string, error) {
	var names []string
	for name, a := range clusters {
		var cl cluster.Cluster
		if err := a.UnmarshalTo(&cl); err != nil {
			return nil, fmt.Errorf("cluster %q: %w", name, err)
		}
		if cl.GetType() != cluster.Cluster_EDS {
			continue
		}
		if sn := cl.GetEdsClusterConfig().GetServiceName(); sn != "" {
			names = append(names, sn)
		} else {
			names = append(names, cl.GetName())
		}
	}
	sort.Strings(names)
	return names, nil
}

// routeNames returns the RDS names the listeners' HTTP connection managers use.
func routeNames(listeners map[string]*anypb.Any) ([]string, error) {
	seen := map[string]bool{}
	for name, a := range listeners {
		var l listener.Listener
		if err := a.UnmarshalTo(&l); err != nil {
			return nil, fmt.Errorf("listener %q: %w", name, err)
		}
		var configs []*anypb.Any
		if api := l.GetApiListener().GetApiListener(); api != nil {
			configs = append(configs, api)
		}
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				configs = append(configs, f.GetTypedConfig())
			}
		}
		for _, cfg := range configs {
			var m hcm.HttpConnectionManager
			if cfg.MessageIs(&m) && cfg.UnmarshalTo(&m) == nil && m.GetRds() != nil {
				seen[m.GetRds().GetRouteConfigName()] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// follow returns the dependent type a response of typeURL decides names for.
func follow(typeURL string, resources map[string]*anypb.Any) (string, []string, error) {
	switch typeURL {
	case ClusterType:
		names, err := endpointNames(resources)
		return EndpointType, names, err
	case ListenerType:
		names, err := routeNames(resources)
		return RouteType, names, err
	}
	return "", nil, nil
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
