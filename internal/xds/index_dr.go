package xds

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// destinationRule is a DestinationRule with its host resolved in its
// namespace. Rules for the same host in one namespace with the same exportTo
// are merged into the first (by namespace/name), as Istio merges them.
type destinationRule struct {
	obj    *config.Object // the first rule
	spec   *v1alpha3.DestinationRule
	host   string
	export registry.ExportTo
	ref    string // identifies the merged rules' revisions, for caches
	// Set by the first merge: which rule the traffic policy and each
	// subset come from, and what of later rules merging left out.
	policyFrom config.Key
	subsetFrom map[string]config.Key
	ignored    []config.Problem
}

// merge adds a later rule for the same host: its subsets whose names are
// new, and its traffic policy when no earlier rule has one. What it leaves
// out is recorded in ignored, for the push's analysis.
func (dr *destinationRule) merge(later *destinationRule) {
	if dr.subsetFrom == nil {
		dr.spec = proto.Clone(dr.spec).(*v1alpha3.DestinationRule)
		dr.policyFrom = dr.obj.Key
		dr.subsetFrom = make(map[string]config.Key)
		for _, s := range dr.spec.GetSubsets() {
			dr.subsetFrom[s.GetName()] = dr.obj.Key
		}
	}
	dr.ref += "+" + later.ref
	k := later.obj.Key
	switch tp := later.spec.GetTrafficPolicy(); {
	case tp == nil:
	case dr.spec.TrafficPolicy == nil:
		dr.spec.TrafficPolicy, dr.policyFrom = tp, k
	default:
		dr.ignored = append(dr.ignored, warning(k, "spec.trafficPolicy", fmt.Sprintf(
			"merged with %s for the same host, whose traffic policy applies; this one is ignored", dr.policyFrom)))
	}
	for i, s := range later.spec.GetSubsets() {
		if from, dup := dr.subsetFrom[s.GetName()]; dup {
			dr.ignored = append(dr.ignored, warning(k, fmt.Sprintf("spec.subsets[%d]", i), fmt.Sprintf(
				"subset %q is already defined by %s for the same host; this one is ignored", s.GetName(), from)))
			continue
		}
		dr.spec.Subsets = append(dr.spec.Subsets, s)
		dr.subsetFrom[s.GetName()] = k
	}
}

// subset returns the named subset, or nil.
func (dr *destinationRule) subset(name string) *v1alpha3.Subset {
	if dr == nil {
		return nil
	}
	for _, s := range dr.spec.GetSubsets() {
		if s.GetName() == name {
			return s
		}
	}
	return nil
}

// subsets returns the rule's subsets; none for a nil rule.
func (dr *destinationRule) subsets() []*v1alpha3.Subset {
	if dr == nil {
		return nil
	}
	return dr.spec.GetSubsets()
}

// drIndex finds the DestinationRule that applies to a host.
type drIndex struct {
	byNS map[string][]*destinationRule
}

func newDRIndex(cfg *config.Snapshot) drIndex {
	ix := drIndex{byNS: make(map[string][]*destinationRule)}
	first := map[string]*destinationRule{} // namespace, host, exportTo
	for _, o := range cfg.List(config.KindDestinationRule) {
		spec, ok := o.Spec.(*v1alpha3.DestinationRule)
		if !ok || spec.GetWorkloadSelector() != nil { // selector-scoped rules: see Unsupported
			continue
		}
		dr := &destinationRule{
			obj:    o,
			spec:   spec,
			host:   registry.ResolveHost(spec.GetHost(), o.Namespace),
			export: registry.ParseExportTo(spec.GetExportTo(), o.Namespace),
			ref:    o.Key.String() + "@" + o.Revision,
		}
		key := o.Namespace + " " + dr.host + " " + dr.export.String()
		if prev := first[key]; prev != nil {
			prev.merge(dr)
			continue
		}
		first[key] = dr
		ix.byNS[o.Namespace] = append(ix.byNS[o.Namespace], dr)
	}
	return ix
}

// lookup returns the rule for host as Istio resolves it for a proxy in
// proxyNS: the proxy's namespace first, then the service's, then the root
// namespace; within one, an exact host before the most specific wildcard.
func (ix *drIndex) lookup(host, proxyNS, serviceNS, rootNS string) *destinationRule {
	for i, ns := range [3]string{proxyNS, serviceNS, rootNS} {
		if i > 0 && (ns == proxyNS || (i == 2 && ns == serviceNS)) {
			continue
		}
		if dr := ix.bestIn(ns, host, proxyNS); dr != nil {
			return dr
		}
	}
	return nil
}

func (ix *drIndex) bestIn(ns, host, proxyNS string) *destinationRule {
	var best *destinationRule
	for _, dr := range ix.byNS[ns] {
		if !dr.export.VisibleTo(proxyNS) || !registry.HostMatches(dr.host, host) {
			continue
		}
		if dr.host == host {
			return dr
		}
		if best == nil || len(dr.host) > len(best.host) {
			best = dr
		}
	}
	return best
}
