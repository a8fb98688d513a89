package config

import (
	"fmt"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

// analyzeSubsets reports VirtualService destinations whose subset no
// DestinationRule for that host defines (an error: traffic sent there would
// find no cluster). Hosts resolve as Istio resolves them (see ResolveHost); a
// DestinationRule whose host is a wildcard covers the hosts it matches.
func analyzeSubsets(s *Snapshot) []Problem {
	subsets := definedSubsets(s)
	var problems []Problem
	for _, o := range s.List(KindVirtualService) {
		vs := o.Spec.(*networking.VirtualService)
		for _, d := range vsDestinations(vs) {
			if d.dest.GetSubset() == "" || d.dest.GetHost() == "" {
				continue
			}
			host := ResolveHost(d.dest.GetHost(), o.Namespace)
			if subsets.has(host, d.dest.GetSubset()) {
				continue
			}
			problems = append(problems, subsetProblem(o, d, host, subsets.covers(host)))
		}
	}
	return problems
}

// subsetProblem reports a subset no DestinationRule defines. When a
// DestinationRule for the host exists, the subset is unknown: an error. When
// none exists yet the VirtualService is accepted, as Istio accepts it, with a
// warning: it may be applied before its DestinationRule (or analyzed alone),
// and requests routed to the subset fail until the rule arrives.
func subsetProblem(o *Object, d pathDestination, host string, hostHasRule bool) Problem {
	p := Problem{Key: o.Key, Source: o.Source, Field: d.path + ".subset"}
	if hostHasRule {
		p.Reason = fmt.Sprintf("subset %q is not defined by any DestinationRule for host %s", d.dest.GetSubset(), host)
		return p
	}
	p.Severity = SeverityWarning
	p.Reason = fmt.Sprintf("subset %q: no DestinationRule for host %s is known, so requests routed here fail (503) until one defines it", d.dest.GetSubset(), host)
	return p
}

// subsetIndex maps a DestinationRule host (resolved) to its subset names.
type subsetIndex map[string]map[string]bool

func definedSubsets(s *Snapshot) subsetIndex {
	idx := subsetIndex{}
	for _, o := range s.List(KindDestinationRule) {
		dr := o.Spec.(*networking.DestinationRule)
		host := ResolveHost(dr.GetHost(), o.Namespace)
		if idx[host] == nil {
			idx[host] = map[string]bool{}
		}
		for _, sub := range dr.GetSubsets() {
			idx[host][sub.GetName()] = true
		}
	}
	return idx
}

func (idx subsetIndex) has(host, subset string) bool {
	if idx[host][subset] {
		return true
	}
	for pattern, names := range idx {
		if strings.HasPrefix(pattern, "*") && hostMatches(pattern, host) && names[subset] {
			return true
		}
	}
	return false
}

// covers reports whether any DestinationRule applies to host.
func (idx subsetIndex) covers(host string) bool {
	if idx[host] != nil {
		return true
	}
	for pattern := range idx {
		if strings.HasPrefix(pattern, "*") && hostMatches(pattern, host) {
			return true
		}
	}
	return false
}

// pathDestination is one destination of a VirtualService with its field path.
type pathDestination struct {
	path string
	dest *networking.Destination
}

// vsDestinations lists every destination a VirtualService routes or mirrors to.
func vsDestinations(vs *networking.VirtualService) []pathDestination {
	var out []pathDestination
	for i, r := range vs.GetHttp() {
		p := index("spec.http", i)
		for j, d := range r.GetRoute() {
			out = append(out, pathDestination{dot(index(dot(p, "route"), j), "destination"), d.GetDestination()})
		}
		if m := r.GetMirror(); m != nil {
			out = append(out, pathDestination{dot(p, "mirror"), m})
		}
		for j, m := range r.GetMirrors() {
			out = append(out, pathDestination{dot(index(dot(p, "mirrors"), j), "destination"), m.GetDestination()})
		}
	}
	for i, r := range vs.GetTcp() {
		for j, d := range r.GetRoute() {
			out = append(out, pathDestination{fmt.Sprintf("spec.tcp[%d].route[%d].destination", i, j), d.GetDestination()})
		}
	}
	for i, r := range vs.GetTls() {
		for j, d := range r.GetRoute() {
			out = append(out, pathDestination{fmt.Sprintf("spec.tls[%d].route[%d].destination", i, j), d.GetDestination()})
		}
	}
	return out
}

// analyzeSidecars reports namespaces with more than one Sidecar without a
// workloadSelector: Istio would pick one arbitrarily, so every one is rejected.
func analyzeSidecars(s *Snapshot) []Problem {
	byNamespace := map[string][]*Object{}
	for _, o := range s.List(KindSidecar) {
		if o.Spec.(*networking.Sidecar).GetWorkloadSelector() == nil {
			byNamespace[o.Namespace] = append(byNamespace[o.Namespace], o)
		}
	}
	var problems []Problem
	for _, list := range byNamespace {
		if len(list) < 2 {
			continue
		}
		for _, o := range list {
			problems = append(problems, Problem{
				Key: o.Key, Source: o.Source, Field: "spec.workloadSelector",
				Reason: fmt.Sprintf("namespace %s has %d Sidecars without a workloadSelector (%s); at most one is allowed", o.Namespace, len(list), objectNames(list)),
			})
		}
	}
	return problems
}

func objectNames(list []*Object) string {
	names := make([]string, len(list))
	for i, o := range list {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

// analyzeGatewayRefs warns about VirtualServices bound to Gateways that do not exist.
func analyzeGatewayRefs(s *Snapshot) []Problem {
	var problems []Problem
	for _, o := range s.List(KindVirtualService) {
		for i, g := range o.Spec.(*networking.VirtualService).GetGateways() {
			if g == meshGateway {
				continue
			}
			ns, name := gatewayRef(g, o.Namespace)
			if s.Get(Key{Kind: KindGateway, Namespace: ns, Name: name}) != nil {
				continue
			}
			problems = append(problems, Problem{
				Key: o.Key, Source: o.Source, Field: index("spec.gateways", i), Severity: SeverityWarning,
				Reason: fmt.Sprintf("gateway %s/%s not found; these routes apply to no gateway until it exists", ns, name),
			})
		}
	}
	return problems
}

// gatewayRef resolves `ns/name`, `name` (in the VirtualService's namespace)
// and the legacy `name.ns.svc.cluster.local`.
func gatewayRef(ref, ns string) (string, string) {
	if gns, name, ok := strings.Cut(ref, "/"); ok {
		return gns, name
	}
	if name, rest, ok := strings.Cut(ref, "."); ok {
		gns, _, _ := strings.Cut(rest, ".")
		return gns, name
	}
	return ns, ref
}
