package xds

import (
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// sidecarIndex finds the Sidecar resource that configures a workload.
type sidecarIndex struct {
	byNS   map[string]*namespaceSidecars
	rootNS string
}

type namespaceSidecars struct {
	fallback *config.Object // the selector-less one
	// selecting indexes Sidecars with a workloadSelector by the first
	// (sorted) `key=value` of their selector, so finding a workload's costs
	// a lookup per workload label, not a scan of every Sidecar.
	selecting map[string][]*config.Object
}

func newSidecarIndex(cfg *config.Snapshot, rootNS string) sidecarIndex {
	ix := sidecarIndex{byNS: make(map[string]*namespaceSidecars), rootNS: rootNS}
	for _, o := range cfg.List(config.KindSidecar) {
		spec, ok := o.Spec.(*v1alpha3.Sidecar)
		if !ok {
			continue
		}
		ns := ix.byNS[o.Namespace]
		if ns == nil {
			ns = &namespaceSidecars{selecting: make(map[string][]*config.Object)}
			ix.byNS[o.Namespace] = ns
		}
		sel := spec.GetWorkloadSelector().GetLabels()
		switch {
		case len(sel) > 0:
			first := sortedKeys(sel)[0]
			k := first + "=" + sel[first]
			ns.selecting[k] = append(ns.selecting[k], o)
		case ns.fallback == nil: // a second one is reported by the config analyzers
			ns.fallback = o
		}
	}
	return ix
}

// forWorkload returns the Sidecar for a workload of namespace ns with these
// labels, as Istio chooses: the first (by name) whose workloadSelector matches,
// else the namespace's selector-less one, else the root namespace's
// selector-less one; nil means none, and the proxy gets the default scope.
// Unknown labels (nil) match no selector.
func (ix *sidecarIndex) forWorkload(ns string, labels map[string]string) *config.Object {
	if n := ix.byNS[ns]; n != nil {
		if o := n.selected(labels); o != nil {
			return o
		}
		if n.fallback != nil {
			return n.fallback
		}
	}
	if n := ix.byNS[ix.rootNS]; n != nil {
		return n.fallback
	}
	return nil
}

// selected returns the first Sidecar, by name, whose selector matches labels.
func (n *namespaceSidecars) selected(labels map[string]string) *config.Object {
	var best *config.Object
	for k, v := range labels {
		for _, o := range n.selecting[k+"="+v] {
			sel := o.Spec.(*v1alpha3.Sidecar).GetWorkloadSelector().GetLabels()
			if registry.LabelsMatch(sel, labels) && (best == nil || o.Name < best.Name) {
				best = o
			}
		}
	}
	return best
}
