package xds

import (
	"slices"

	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// meshGateway is the gateway name that binds a VirtualService to sidecars.
const meshGateway = "mesh"

// virtualService is a VirtualService that applies to sidecars, with its hosts
// resolved in its own namespace.
type virtualService struct {
	obj    *config.Object
	spec   *v1alpha3.VirtualService
	hosts  []string
	export registry.ExportTo
}

// vsIndex finds the VirtualService bound to a service host.
type vsIndex struct {
	exact map[string][]*virtualService
	wild  []*virtualService // with at least one wildcard host
	// sourceLabels is true when some route matches on the client's labels,
	// which makes route configurations depend on the proxy's labels.
	sourceLabels bool
}

func newVSIndex(cfg *config.Snapshot) vsIndex {
	ix := vsIndex{exact: make(map[string][]*virtualService)}
	for _, o := range cfg.List(config.KindVirtualService) {
		spec, ok := o.Spec.(*v1alpha3.VirtualService)
		if !ok || !appliesToMesh(spec.GetGateways()) {
			continue
		}
		vs := &virtualService{obj: o, spec: spec, export: registry.ParseExportTo(spec.GetExportTo(), o.Namespace)}
		wild := false
		for _, h := range spec.GetHosts() {
			h = registry.ResolveHost(h, o.Namespace)
			vs.hosts = append(vs.hosts, h)
			if h != "" && h[0] == '*' {
				wild = true
			} else {
				ix.exact[h] = append(ix.exact[h], vs)
			}
		}
		if wild {
			ix.wild = append(ix.wild, vs)
		}
		ix.sourceLabels = ix.sourceLabels || usesSourceLabels(spec)
	}
	return ix
}

// appliesToMesh reports whether a gateways list binds to sidecars: empty, or
// naming "mesh".
func appliesToMesh(gateways []string) bool {
	return len(gateways) == 0 || slices.Contains(gateways, meshGateway)
}

func usesSourceLabels(spec *v1alpha3.VirtualService) bool {
	for _, r := range spec.GetHttp() {
		for _, m := range r.GetMatch() {
			if len(m.GetSourceLabels()) > 0 {
				return true
			}
		}
	}
	return false
}

// forHost returns the VirtualService that routes host for a proxy in ns, or
// nil. imported says whether the proxy's Sidecar imports a VirtualService for
// host. Exact hosts win over wildcards; among equals, one in the proxy's own
// namespace wins, then the first by namespace and name (Istio picks the oldest;
// Loom has no creation times).
func (ix *vsIndex) forHost(host, ns string, imported func(*virtualService) bool) *virtualService {
	usable := func(vs *virtualService) bool { return vs.export.VisibleTo(ns) && imported(vs) }
	if vs := preferNamespace(ix.exact[host], ns, usable); vs != nil {
		return vs
	}
	var best *virtualService
	bestLen := -1
	for _, vs := range ix.wild {
		if !usable(vs) {
			continue
		}
		for _, h := range vs.hosts {
			better := len(h) > bestLen || (len(h) == bestLen && vs.obj.Namespace == ns && best.obj.Namespace != ns)
			if h[0] == '*' && registry.HostMatches(h, host) && better {
				best, bestLen = vs, len(h)
			}
		}
	}
	return best
}

func preferNamespace(list []*virtualService, ns string, usable func(*virtualService) bool) *virtualService {
	var first *virtualService
	for _, vs := range list {
		if !usable(vs) {
			continue
		}
		if vs.obj.Namespace == ns {
			return vs
		}
		if first == nil {
			first = vs
		}
	}
	return first
}
