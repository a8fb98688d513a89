package xds

import (
	"strconv"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/types/known/structpb"
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// translateRoutes turns a VirtualService's HTTP routes into Envoy routes for
// one listener port: one Envoy route per applicable match, in order, so the
// first that matches wins, as in Istio.
func (p *Push) translateRoutes(vs *virtualService, port uint32, ns string, labels map[string]string) []*routev3.Route {
	var out []*routev3.Route
	for _, ar := range applicableRoutes(vs, port, ns, labels) {
		if len(ar.matches) == 0 {
			out = append(out, p.translateRoute(vs, ar.route, nil, port))
		}
		for _, m := range ar.matches {
			out = append(out, p.translateRoute(vs, ar.route, m.match, port))
		}
	}
	return out
}

func (p *Push) translateRoute(vs *virtualService, r *v1alpha3.HTTPRoute, m *v1alpha3.HTTPMatchRequest, port uint32) *routev3.Route {
	out := &routev3.Route{Name: routeName(r, m), Match: translateMatch(m)}
	// The route's header operations first: a single destination's are
	// appended after them (routeAction), so on the same header the
	// destination's set wins, as in Istio.
	addHeaderOperations(out, r.GetHeaders())
	switch {
	case r.GetRedirect() != nil:
		out.Action = &routev3.Route_Redirect{Redirect: redirectAction(r.GetRedirect(), port)}
	case r.GetDirectResponse() != nil:
		out.Action = &routev3.Route_DirectResponse{DirectResponse: directResponse(r.GetDirectResponse())}
	default:
		out.Action = &routev3.Route_Route{Route: p.routeAction(vs, r, port, out)}
	}
	if f := translateFault(r.GetFault()); f != nil {
		out.TypedPerFilterConfig = map[string]*anyMessage{faultFilterName: mustAny(f)}
	}
	out.Metadata = vsMetadata(vs)
	return out
}

// vsMetadata names the VirtualService a route came from, as Istio does
// (filter_metadata.istio.config), so `loom proxy-config routes` and Istio's
// tools can show it.
func vsMetadata(vs *virtualService) *corev3.Metadata {
	path := "/apis/networking.istio.io/v1/namespaces/" + vs.obj.Namespace + "/virtual-service/" + vs.obj.Name
	return &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{
		"istio": {Fields: map[string]*structpb.Value{"config": structpb.NewStringValue(path)}},
	}}
}

// routeName is Istio's: the route's name, with the match's after a dot.
func routeName(r *v1alpha3.HTTPRoute, m *v1alpha3.HTTPMatchRequest) string {
	switch {
	case r.GetName() != "" && m.GetName() != "":
		return r.GetName() + "." + m.GetName()
	case r.GetName() != "":
		return r.GetName()
	}
	return m.GetName()
}

// routeAction forwards to the route's destinations. A single destination's
// header operations move to the route (out), as Istio does.
func (p *Push) routeAction(vs *virtualService, r *v1alpha3.HTTPRoute, port uint32, out *routev3.Route) *routev3.RouteAction {
	ra := &routev3.RouteAction{
		Timeout:     durationOr(r.GetTimeout()),
		RetryPolicy: retryPolicy(r.GetRetries()),
	}
	dests := weightedDestinations(r.GetRoute())
	if len(dests) == 1 {
		ra.ClusterSpecifier = &routev3.RouteAction_Cluster{Cluster: p.clusterName(vs, dests[0].GetDestination(), port)}
		addHeaderOperations(out, dests[0].GetHeaders())
	} else {
		wc := &routev3.WeightedCluster{}
		for _, d := range dests {
			cw := &routev3.WeightedCluster_ClusterWeight{
				Name:   p.clusterName(vs, d.GetDestination(), port),
				Weight: uint32Value(uint32(d.GetWeight())),
			}
			setClusterHeaders(cw, d.GetHeaders())
			wc.Clusters = append(wc.Clusters, cw)
		}
		ra.ClusterSpecifier = &routev3.RouteAction_WeightedClusters{WeightedClusters: wc}
	}
	applyRewrite(ra, r.GetRewrite())
	return ra
}

// weightedDestinations drops zero-weight destinations of a split; a route
// with one destination (or only zero weights) sends it everything.
func weightedDestinations(all []*v1alpha3.HTTPRouteDestination) []*v1alpha3.HTTPRouteDestination {
	if len(all) <= 1 {
		return all
	}
	var out []*v1alpha3.HTTPRouteDestination
	for _, d := range all {
		if d.GetWeight() > 0 {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return all[:1]
	}
	return out
}

// clusterName names a destination's cluster. Destinations that do not
// resolve still get a name (the push's analysis reports them): the proxy
// answers 503 for a cluster it does not have.
func (p *Push) clusterName(vs *virtualService, d *v1alpha3.Destination, port uint32) string {
	if dst, ok := p.resolveDestination(vs, d, port); ok {
		return xdsmeta.OutboundCluster(dst.svc.Hostname, dst.port.Number, dst.subset)
	}
	number := d.GetPort().GetNumber()
	if number == 0 {
		number = port
	}
	return xdsmeta.OutboundCluster(registry.ResolveHost(d.GetHost(), vs.obj.Namespace), number, d.GetSubset())
}

func applyRewrite(ra *routev3.RouteAction, rw *v1alpha3.HTTPRewrite) {
	if rw == nil {
		return
	}
	switch {
	case rw.GetUriRegexRewrite() != nil:
		ra.RegexRewrite = regexRewrite(rw.GetUriRegexRewrite().GetMatch(), rw.GetUriRegexRewrite().GetRewrite())
	case rw.GetUri() != "":
		ra.PrefixRewrite = rw.GetUri()
	}
	if rw.GetAuthority() != "" {
		ra.HostRewriteSpecifier = &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: rw.GetAuthority()}
	}
}

func redirectAction(rd *v1alpha3.HTTPRedirect, listenerPort uint32) *routev3.RedirectAction {
	ra := &routev3.RedirectAction{HostRedirect: rd.GetAuthority(), PortRedirect: rd.GetPort(), ResponseCode: redirectCode(rd.GetRedirectCode())}
	if rd.GetDerivePort() == v1alpha3.HTTPRedirect_FROM_REQUEST_PORT {
		// Routes are built per listener port, so the request's port is
		// known here (as Istio does it); FROM_PROTOCOL_DEFAULT sets none.
		ra.PortRedirect = listenerPort
	}
	switch {
	case rd.GetUri() != "":
		ra.PathRewriteSpecifier = &routev3.RedirectAction_PathRedirect{PathRedirect: rd.GetUri()}
	case rd.GetPrefixRewrite() != "":
		ra.PathRewriteSpecifier = &routev3.RedirectAction_PrefixRewrite{PrefixRewrite: rd.GetPrefixRewrite()}
	}
	if rd.GetScheme() != "" {
		ra.SchemeRewriteSpecifier = &routev3.RedirectAction_SchemeRedirect{SchemeRedirect: rd.GetScheme()}
	}
	return ra
}

// redirectCode maps an HTTP status to Envoy's enum; Istio accepts only these
// (0 is 301). Others are reported by Unsupported and answered 301.
func redirectCode(code uint32) routev3.RedirectAction_RedirectResponseCode {
	switch code {
	case 302:
		return routev3.RedirectAction_FOUND
	case 303:
		return routev3.RedirectAction_SEE_OTHER
	case 307:
		return routev3.RedirectAction_TEMPORARY_REDIRECT
	case 308:
		return routev3.RedirectAction_PERMANENT_REDIRECT
	}
	return routev3.RedirectAction_MOVED_PERMANENTLY
}

func directResponse(dr *v1alpha3.HTTPDirectResponse) *routev3.DirectResponseAction {
	out := &routev3.DirectResponseAction{Status: dr.GetStatus()}
	switch {
	case dr.GetBody().GetString_() != "":
		out.Body = &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: dr.GetBody().GetString_()}}
	case len(dr.GetBody().GetBytes()) > 0:
		out.Body = &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: dr.GetBody().GetBytes()}}
	}
	return out
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
