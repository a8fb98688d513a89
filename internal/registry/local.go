package registry

import (
	"fmt"
	"net/netip"
	"strings"

	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
)

// FromConfig builds local mode's registry from a config Snapshot: a service
// per ServiceEntry host, a workload per WorkloadEntry, and as endpoints of
// each service port the ServiceEntry's inline endpoints plus the
// WorkloadEntries of its namespace its workloadSelector selects.
//
// An endpoint's port is the workload's port named like the service port, else
// the service port's targetPort, else the service port's number. Problems are
// warnings about parts that serve no traffic (a host declared twice, an
// endpoint without an address).
func FromConfig(cfg *config.Snapshot) (*Snapshot, []config.Problem) {
	b := NewBuilder()
	var problems []config.Problem
	byNamespace := map[string]*workloadIndex{}
	for _, o := range cfg.List(config.KindWorkloadEntry) {
		we, ok := o.Spec.(*v1alpha3.WorkloadEntry)
		if !ok {
			continue
		}
		w := workloadFrom(o.Namespace, o.Name, we)
		b.AddWorkload(w)
		idx := byNamespace[o.Namespace]
		if idx == nil {
			idx = newWorkloadIndex()
			byNamespace[o.Namespace] = idx
		}
		idx.add(w)
	}
	for _, o := range cfg.List(config.KindServiceEntry) {
		se, ok := o.Spec.(*v1alpha3.ServiceEntry)
		if !ok {
			continue
		}
		problems = append(problems, addServiceEntry(b, o, se, byNamespace[o.Namespace])...)
	}
	return b.Build(), dedupe(problems)
}

// dedupe drops repeated problems (a WorkloadEntry two ServiceEntries select
// is reported once), keeping the first of each.
func dedupe(problems []config.Problem) []config.Problem {
	seen := make(map[config.Problem]bool, len(problems))
	out := problems[:0]
	for _, p := range problems {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func workloadFrom(ns, name string, we *v1alpha3.WorkloadEntry) *Workload {
	return &Workload{
		Namespace:      ns,
		Name:           name,
		Address:        we.GetAddress(),
		Ports:          we.GetPorts(),
		Labels:         we.GetLabels(),
		ServiceAccount: we.GetServiceAccount(),
		Locality:       ParseLocality(we.GetLocality()),
		Weight:         max(we.GetWeight(), 1),
		Network:        we.GetNetwork(),
	}
}

// addServiceEntry adds a service per host of se and its endpoints.
func addServiceEntry(b *Builder, o *config.Object, se *v1alpha3.ServiceEntry, candidates *workloadIndex) []config.Problem {
	var problems []config.Problem
	eps, epProblems := serviceEntryEndpoints(o, se, candidates)
	problems = append(problems, epProblems...)
	for i, h := range se.GetHosts() {
		svc := serviceFrom(o, se, ResolveHost(h, o.Namespace))
		if held := b.AddService(svc); held != svc {
			problems = append(problems, warn(o.Key, fmt.Sprintf("spec.hosts[%d]", i),
				fmt.Sprintf("%s is already declared by %s; this declaration is ignored", svc.Hostname, held.Origin)))
			continue
		}
		for _, p := range svc.Ports {
			for _, e := range eps {
				b.AddEndpoint(svc.Hostname, p.Number, endpointFor(e, p))
			}
		}
	}
	return problems
}

func serviceFrom(o *config.Object, se *v1alpha3.ServiceEntry, host string) *Service {
	svc := &Service{
		Hostname:     host,
		Namespace:    o.Namespace,
		Origin:       o.Key,
		Addresses:    se.GetAddresses(),
		MeshExternal: se.GetLocation() == v1alpha3.ServiceEntry_MESH_EXTERNAL,
		ExportTo:     ParseExportTo(se.GetExportTo(), o.Namespace),
	}
	switch se.GetResolution() {
	case v1alpha3.ServiceEntry_STATIC:
		svc.Resolution = ResolutionStatic
	case v1alpha3.ServiceEntry_DNS, v1alpha3.ServiceEntry_DNS_ROUND_ROBIN:
		svc.Resolution = ResolutionDNS
	default:
		svc.Resolution = ResolutionNone
	}
	for _, p := range se.GetPorts() {
		svc.Ports = append(svc.Ports, Port{
			Name:       p.GetName(),
			Number:     p.GetNumber(),
			Protocol:   ProtocolOf(p.GetProtocol(), p.GetName()),
			TargetPort: p.GetTargetPort(),
		})
	}
	return svc
}

// endpointFor places a workload-like endpoint on one service port.
func endpointFor(w *Workload, p Port) *Endpoint {
	port := p.Number
	if n, ok := w.Ports[p.Name]; ok && p.Name != "" {
		port = n
	} else if p.TargetPort != 0 {
		port = p.TargetPort
	}
	e := &Endpoint{
		Address:        w.Address,
		Port:           port,
		Labels:         w.Labels,
		Locality:       w.Locality,
		Weight:         w.Weight,
		Network:        w.Network,
		ServiceAccount: w.ServiceAccount,
	}
	if w.Name != "" {
		e.Workload = w
	}
	return e
}

// serviceEntryEndpoints returns se's endpoints as workloads: the inline ones
// (with no name) and the selected WorkloadEntries.
func serviceEntryEndpoints(o *config.Object, se *v1alpha3.ServiceEntry, candidates *workloadIndex) ([]*Workload, []config.Problem) {
	var out []*Workload
	var problems []config.Problem
	for i, we := range se.GetEndpoints() {
		field := fmt.Sprintf("spec.endpoints[%d].address", i)
		if reason := addressProblem(we.GetAddress(), se.GetResolution()); reason != "" {
			problems = append(problems, warn(o.Key, field, reason))
			continue
		}
		out = append(out, workloadFrom(o.Namespace, "", we))
	}
	if sel := se.GetWorkloadSelector(); sel != nil {
		for _, w := range candidates.selected(sel.GetLabels()) {
			if reason := addressProblem(w.Address, se.GetResolution()); reason != "" {
				problems = append(problems, warn(config.Key{Kind: config.KindWorkloadEntry, Namespace: w.Namespace, Name: w.Name}, "spec.address", reason))
				continue
			}
			out = append(out, w)
		}
	}
	return out, problems
}

// addressProblem says why an endpoint address cannot serve a service of
// resolution res, or "".
func addressProblem(addr string, res v1alpha3.ServiceEntry_Resolution) string {
	switch {
	case addr == "":
		return "no address: this endpoint receives no traffic"
	case strings.HasPrefix(addr, "unix://"):
		return "Unix domain socket endpoints are not supported yet; this endpoint receives no traffic"
	case res == v1alpha3.ServiceEntry_STATIC:
		if _, err := netip.ParseAddr(addr); err != nil {
			return fmt.Sprintf("%q is not an IP address, which resolution STATIC needs; this endpoint receives no traffic", addr)
		}
	}
	return ""
}

func warn(k config.Key, field, reason string) config.Problem {
	return config.Problem{Key: k, Field: field, Reason: reason, Severity: config.SeverityWarning}
}
