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
	fallback  *config.Object   // the selector-less one
	selecting []*config.Object // with a workloadSelector, by name
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
			ns = &namespaceSidecars{}
			ix.byNS[o.Namespace] = ns
		}
		switch {
		case len(spec.GetWorkloadSelector().GetLabels()) > 0:
			ns.selecting = append(ns.selecting, o)
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
		if labels != nil {
			for _, o := range n.selecting {
				sel := o.Spec.(*v1alpha3.Sidecar).GetWorkloadSelector().GetLabels()
				if registry.LabelsMatch(sel, labels) {
					return o
				}
			}
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
