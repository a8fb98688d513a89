package xds

import (
	"fmt"
	"strings"

	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// analyze finds config that is valid on its own but does not do what it
// says against this registry: hosts and destinations that name no service,
// subsets no DestinationRule defines, imports that match nothing, rules that
// lose to others for the same host.
func (p *Push) analyze() []config.Problem {
	var out []config.Problem
	seenVS := map[string]*config.Object{} // namespace + host → winner
	for _, o := range p.Config.List(config.KindVirtualService) {
		spec, ok := o.Spec.(*v1alpha3.VirtualService)
		if !ok || !appliesToMesh(spec.GetGateways()) {
			continue
		}
		vs := &virtualService{obj: o, spec: spec}
		for i, h := range spec.GetHosts() {
			field := fmt.Sprintf("spec.hosts[%d]", i)
			host := registry.ResolveHost(h, o.Namespace)
			out = append(out, p.checkHost(o.Key, field, host)...)
			out = append(out, p.checkHTTPPorts(o.Key, field, spec, host)...)
			if winner := seenVS[o.Namespace+"/"+host]; winner != nil {
				out = append(out, warning(o.Key, field, fmt.Sprintf("%s is also routed by %s, which wins; this VirtualService does not apply to it", host, winner.Key)))
			} else {
				seenVS[o.Namespace+"/"+host] = o
			}
		}
		out = append(out, p.checkDestinations(vs)...)
	}
	out = append(out, p.checkDestinationRules()...)
	return append(out, p.checkSidecars()...)
}

// checkHost reports a host that matches no service.
func (p *Push) checkHost(k config.Key, field, host string) []config.Problem {
	if strings.HasPrefix(host, "*") || p.Registry.Service(host) != nil {
		return nil
	}
	return []config.Problem{warning(k, field, fmt.Sprintf("no service %s is known; nothing is routed for it", host))}
}

// checkHTTPPorts reports HTTP routes for a service none of whose ports
// speaks HTTP: they would silently never apply.
func (p *Push) checkHTTPPorts(k config.Key, field string, spec *v1alpha3.VirtualService, host string) []config.Problem {
	svc := p.Registry.Service(host)
	if svc == nil || len(spec.GetHttp()) == 0 {
		return nil
	}
	for _, pp := range svc.Ports {
		if pp.Protocol.IsHTTP() {
			return nil
		}
	}
	return []config.Problem{warning(k, field, fmt.Sprintf("service %s has no HTTP port (a port is TCP unless its protocol, or its name's prefix, says http, http2, grpc or grpc-web); the spec.http routes do not apply to it", host))}
}

func (p *Push) checkDestinations(vs *virtualService) []config.Problem {
	var out []config.Problem
	for i, r := range vs.spec.GetHttp() {
		for j, rd := range r.GetRoute() {
			d := rd.GetDestination()
			field := fmt.Sprintf("spec.http[%d].route[%d].destination", i, j)
			out = append(out, p.checkDestination(vs.obj, field, d)...)
		}
	}
	return out
}

func (p *Push) checkDestination(o *config.Object, field string, d *v1alpha3.Destination) []config.Problem {
	host := registry.ResolveHost(d.GetHost(), o.Namespace)
	svc := p.Registry.Service(host)
	switch {
	case svc == nil:
		return []config.Problem{warning(o.Key, field+".host", fmt.Sprintf("no service %s is known; requests routed there fail (503)", host))}
	case svc.Resolution == registry.ResolutionNone:
		return []config.Problem{warning(o.Key, field+".host", fmt.Sprintf("service %s has resolution NONE, which Loom does not serve yet; requests routed there fail (503)", host))}
	}
	if n := d.GetPort().GetNumber(); n != 0 {
		if _, ok := svc.Port(n); !ok {
			return []config.Problem{warning(o.Key, field+".port.number", fmt.Sprintf("service %s has no port %d; requests routed there fail (503)", host, n))}
		}
	}
	if sub := d.GetSubset(); sub != "" {
		if dr := p.dr.lookup(host, o.Namespace, svc.Namespace, RootNamespace); dr.subset(sub) == nil {
			return []config.Problem{warning(o.Key, field+".subset", fmt.Sprintf("no DestinationRule defines subset %q of %s; requests routed there fail (503)", sub, host))}
		}
	}
	return nil
}

func (p *Push) checkDestinationRules() []config.Problem {
	var out []config.Problem
	for _, o := range p.Config.List(config.KindDestinationRule) {
		if spec, ok := o.Spec.(*v1alpha3.DestinationRule); ok {
			out = append(out, p.checkHost(o.Key, "spec.host", registry.ResolveHost(spec.GetHost(), o.Namespace))...)
		}
	}
	// What merging rules for one host left out (see destinationRule.merge).
	for _, rules := range p.dr.byNS {
		for _, dr := range rules {
			out = append(out, dr.ignored...)
		}
	}
	return out
}

// checkSidecars reports egress hosts that import no service.
func (p *Push) checkSidecars() []config.Problem {
	var out []config.Problem
	for _, o := range p.Config.List(config.KindSidecar) {
		spec, ok := o.Spec.(*v1alpha3.Sidecar)
		if !ok {
			continue
		}
		for i, e := range spec.GetEgress() {
			for j, h := range e.GetHosts() {
				imp, ok := parseImport(h, o.Namespace)
				if !ok || strings.Contains(imp.host, "*") || p.importsAny(imp, o.Namespace) {
					continue
				}
				out = append(out, warning(o.Key, fmt.Sprintf("spec.egress[%d].hosts[%d]", i, j),
					fmt.Sprintf("%q matches no service visible to namespace %s", h, o.Namespace)))
			}
		}
	}
	return out
}

func (p *Push) importsAny(imp hostImport, ns string) bool {
	svc := p.Registry.Service(imp.host)
	return svc != nil && (imp.ns == "*" || imp.ns == svc.Namespace) && svc.ExportTo.VisibleTo(ns)
}
