package xds

import (
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// routeConfiguration returns the rendered route configuration, shared by
// every scope with the same inputs and reused across pushes.
func (p *Push) routeConfiguration(in *routeInput) *Resource {
	return p.resources.get(in.key, func() *Resource {
		return p.newResource(resourcev3.RouteType, in.key.name, p.renderRouteConfiguration(in))
	})
}

func (p *Push) renderRouteConfiguration(in *routeInput) *routev3.RouteConfiguration {
	rc := &routev3.RouteConfiguration{Name: in.key.name}
	domains := domainSet{}
	for _, vh := range in.vhosts {
		v := &routev3.VirtualHost{Name: vh.svc.Hostname + ":" + itoa(vh.port.Number)}
		if in.key.single {
			v.Domains = []string{"*"}
		} else {
			v.Domains = domains.claim(vhostDomains(vh.svc, vh.port.Number, in.key.ns))
		}
		if vh.vs != nil {
			v.Routes = p.translateRoutes(vh.vs, in.key.port, in.key.ns, in.labels)
		}
		if len(v.Routes) == 0 {
			// No VirtualService, or none of its HTTP routes applies to this
			// port and client (port, sourceLabels, sourceNamespace, gateways
			// matches; TCP-only rules): the service's default route, as Istio.
			v.Routes = []*routev3.Route{defaultRoute(xdsmeta.OutboundCluster(vh.svc.Hostname, vh.port.Number, ""))}
		}
		if len(v.Domains) > 0 {
			rc.VirtualHosts = append(rc.VirtualHosts, v)
		}
	}
	return rc
}

// defaultRoute sends everything to cluster, with Istio's defaults: no
// timeout, the default retry policy.
func defaultRoute(cluster string) *routev3.Route {
	return &routev3.Route{
		Name:  "default",
		Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
		Action: &routev3.Route_Route{Route: &routev3.RouteAction{
			ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: cluster},
			Timeout:          durationZero(),
			RetryPolicy:      defaultRetryPolicy(),
		}},
	}
}
