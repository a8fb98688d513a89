package xds

import (
	"net/netip"

	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// MeshAnalyzer reports, for `loom analyze`, what the control plane would
// report when serving the config in local mode: the registry's problems,
// the push's analysis (hosts and destinations that name no service, merged
// or losing rules, imports that match nothing) and what generating each
// WorkloadEntry's proxy finds. Config with no ServiceEntry or WorkloadEntry
// describes services that live elsewhere (Kubernetes), so it is skipped:
// every host would look unknown.
func MeshAnalyzer(cfg *config.Snapshot) []config.Problem {
	if len(cfg.List(config.KindServiceEntry)) == 0 && len(cfg.List(config.KindWorkloadEntry)) == 0 {
		return nil
	}
	reg, problems := registry.FromConfig(cfg)
	p := NewPush(cfg, reg, nil)
	for _, o := range cfg.List(config.KindWorkloadEntry) {
		we, ok := o.Spec.(*v1alpha3.WorkloadEntry)
		if !ok {
			continue
		}
		ip, _ := netip.ParseAddr(we.GetAddress())
		p.Generate(&Proxy{
			ID:       xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: ip, Workload: o.Name, Namespace: o.Namespace},
			Workload: o.Name,
		})
	}
	return append(problems, p.Problems()...)
}
