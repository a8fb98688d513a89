package admin

import (
	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
)

func clustersDump(rs []xdsclient.DumpResource, version string) *adminv3.ClustersConfigDump {
	out := &adminv3.ClustersConfigDump{VersionInfo: version}
	for _, r := range rs {
		dc := func(v *xdsclient.DumpVersion) *adminv3.ClustersConfigDump_DynamicCluster {
			c := &adminv3.ClustersConfigDump_DynamicCluster{ErrorState: errorState(r.Rejected), ClientStatus: clientStatus(r)}
			if v != nil {
				c.VersionInfo, c.Cluster, c.LastUpdated = v.Version, v.Resource, ts(v.Updated)
			}
			return c
		}
		if r.Active != nil || r.Warming == nil {
			out.DynamicActiveClusters = append(out.DynamicActiveClusters, dc(r.Active))
		}
		if r.Warming != nil {
			out.DynamicWarmingClusters = append(out.DynamicWarmingClusters, dc(r.Warming))
		}
	}
	return out
}

func listenersDump(rs []xdsclient.DumpResource, version string) *adminv3.ListenersConfigDump {
	out := &adminv3.ListenersConfigDump{VersionInfo: version}
	state := func(v *xdsclient.DumpVersion) *adminv3.ListenersConfigDump_DynamicListenerState {
		if v == nil {
			return nil
		}
		return &adminv3.ListenersConfigDump_DynamicListenerState{VersionInfo: v.Version, Listener: v.Resource, LastUpdated: ts(v.Updated)}
	}
	for _, r := range rs {
		out.DynamicListeners = append(out.DynamicListeners, &adminv3.ListenersConfigDump_DynamicListener{
			Name: r.Name, ActiveState: state(r.Active), WarmingState: state(r.Warming),
			ErrorState: errorState(r.Rejected), ClientStatus: clientStatus(r),
		})
	}
	return out
}

func routesDump(rs []xdsclient.DumpResource) *adminv3.RoutesConfigDump {
	out := &adminv3.RoutesConfigDump{}
	for _, r := range rs {
		rc := &adminv3.RoutesConfigDump_DynamicRouteConfig{ErrorState: errorState(r.Rejected), ClientStatus: clientStatus(r)}
		if v := latest(r); v != nil {
			rc.VersionInfo, rc.RouteConfig, rc.LastUpdated = v.Version, v.Resource, ts(v.Updated)
		}
		out.DynamicRouteConfigs = append(out.DynamicRouteConfigs, rc)
	}
	return out
}

// endpointsDump lists EDS assignments and, as Envoy's endpoint dump covers
// every cluster's hosts, the inline assignments of STATIC and STRICT_DNS
// clusters.
func endpointsDump(rs, clusters []xdsclient.DumpResource) *adminv3.EndpointsConfigDump {
	out := &adminv3.EndpointsConfigDump{}
	for _, c := range clusters {
		if ec := inlineEndpoints(c.Active); ec != nil {
			out.DynamicEndpointConfigs = append(out.DynamicEndpointConfigs, ec)
		}
	}
	for _, r := range rs {
		ec := &adminv3.EndpointsConfigDump_DynamicEndpointConfig{ErrorState: errorState(r.Rejected), ClientStatus: clientStatus(r)}
		if v := latest(r); v != nil {
			ec.VersionInfo, ec.EndpointConfig, ec.LastUpdated = v.Version, v.Resource, ts(v.Updated)
		}
		out.DynamicEndpointConfigs = append(out.DynamicEndpointConfigs, ec)
	}
	return out
}

func inlineEndpoints(v *xdsclient.DumpVersion) *adminv3.EndpointsConfigDump_DynamicEndpointConfig {
	if v == nil {
		return nil
	}
	var c clusterv3.Cluster
	if v.Resource.UnmarshalTo(&c) != nil || c.GetLoadAssignment() == nil {
		return nil
	}
	a, err := anypb.New(c.GetLoadAssignment())
	if err != nil {
		return nil
	}
	return &adminv3.EndpointsConfigDump_DynamicEndpointConfig{
		VersionInfo: v.Version, EndpointConfig: a, LastUpdated: ts(v.Updated), ClientStatus: adminv3.ClientResourceStatus_ACKED,
	}
}
