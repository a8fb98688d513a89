package xds

import (
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/registry"
)

// routeKey identifies a route configuration by everything it is built from:
// two scopes with equal keys share one *Resource, and a push reuses the
// previous push's when the key did not change.
type routeKey struct {
	name   string
	ns     string
	labels string
	single bool
	port   uint32
	inputs uint64 // services, VirtualServices and destinations, by revision
}

// routeInput is a route configuration gathered but not yet rendered.
type routeInput struct {
	key          routeKey
	labels       map[string]string
	vhosts       []vhostInput
	destinations []destination
}

// vhostInput is one virtual host: a service port and the VirtualService that
// routes it, if any.
type vhostInput struct {
	svc  *registry.Service
	port registry.Port
	vs   *virtualService
}

// destination is a cluster some route sends traffic to.
type destination struct {
	svc    *registry.Service
	port   registry.Port
	subset string
}

// gatherRoutes collects the virtual hosts of an HTTP outbound listener.
func (p *Push) gatherRoutes(ol *outboundListener, k scopeKey) *routeInput {
	in := &routeInput{key: routeKey{name: ol.routeName, ns: k.ns, labels: k.labels, single: ol.egress.single, port: ol.port}}
	if k.labels != "" {
		in.labels = p.labelsOf(k)
	}
	fp := newFingerprint()
	for _, svc := range ol.services {
		port, _ := svc.Port(ol.port)
		vs := p.vs.forHost(svc.Hostname, k.ns, func(vs *virtualService) bool {
			return ol.egress.importsVirtualService(vs, svc.Hostname)
		})
		in.vhosts = append(in.vhosts, vhostInput{svc: svc, port: port, vs: vs})
		fp.str(svc.Hostname)
		fp.num(svc.Revision)
		if vs == nil {
			in.destinations = append(in.destinations, destination{svc: svc, port: port})
			continue
		}
		fp.str(vs.obj.Key.String())
		fp.str(vs.obj.Revision)
		for _, d := range p.routeDestinations(vs, ol.port, k.ns, in.labels) {
			in.destinations = append(in.destinations, d)
			fp.str(d.svc.Hostname)
			fp.num(d.svc.Revision)
		}
	}
	in.key.inputs = fp.sum()
	return in
}

// appliedRoute is an HTTP route of a VirtualService as it applies to one
// listener port and client: matches that cannot apply are dropped; a route
// whose every match was dropped is not applied at all.
type appliedRoute struct {
	index   int
	route   *v1alpha3.HTTPRoute
	matches []matchAt // empty: match everything
}

// matchAt is a match with its index, for route names and problems.
type matchAt struct {
	index int
	match *v1alpha3.HTTPMatchRequest
}

// applicableRoutes filters a VirtualService's HTTP routes for a listener port
// and a client in namespace ns with labels (nil when not needed).
func applicableRoutes(vs *virtualService, port uint32, ns string, labels map[string]string) []appliedRoute {
	var out []appliedRoute
	for i, r := range vs.spec.GetHttp() {
		if r.GetDelegate() != nil {
			continue // see Unsupported
		}
		ar := appliedRoute{index: i, route: r}
		for j, m := range r.GetMatch() {
			if matchApplies(m, port, ns, labels) {
				ar.matches = append(ar.matches, matchAt{index: j, match: m})
			}
		}
		if len(r.GetMatch()) > 0 && len(ar.matches) == 0 {
			continue
		}
		out = append(out, ar)
	}
	return out
}

func matchApplies(m *v1alpha3.HTTPMatchRequest, port uint32, ns string, labels map[string]string) bool {
	switch {
	case m.GetPort() != 0 && m.GetPort() != port:
		return false
	case !appliesToMesh(m.GetGateways()):
		return false
	case m.GetSourceNamespace() != "" && m.GetSourceNamespace() != ns:
		return false
	case len(m.GetSourceLabels()) > 0 && !registry.LabelsMatch(m.GetSourceLabels(), labels):
		return false
	}
	return true
}

// routeDestinations lists the existing services a VirtualService's applicable
// routes send traffic to. Destinations that do not exist are reported by the
// push's analysis.
func (p *Push) routeDestinations(vs *virtualService, port uint32, ns string, labels map[string]string) []destination {
	var out []destination
	for _, ar := range applicableRoutes(vs, port, ns, labels) {
		for _, rd := range ar.route.GetRoute() {
			if d, ok := p.resolveDestination(vs, rd.GetDestination(), port); ok {
				out = append(out, d)
			}
		}
	}
	return out
}

// resolveDestination finds a route destination's service and port: the port
// named, else the service's only port, else the listener's port.
func (p *Push) resolveDestination(vs *virtualService, d *v1alpha3.Destination, listenerPort uint32) (destination, bool) {
	svc := p.Registry.Service(registry.ResolveHost(d.GetHost(), vs.obj.Namespace))
	if svc == nil || svc.Resolution == registry.ResolutionNone {
		return destination{}, false
	}
	number := d.GetPort().GetNumber()
	switch {
	case number != 0:
	case len(svc.Ports) == 1:
		number = svc.Ports[0].Number
	default:
		number = listenerPort
	}
	port, ok := svc.Port(number)
	if !ok {
		return destination{}, false
	}
	return destination{svc: svc, port: port, subset: d.GetSubset()}, true
}
