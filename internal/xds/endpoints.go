package xds

import (
	"cmp"
	"net/netip"
	"slices"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"

	"github.com/loom-mesh/loom/internal/registry"
)

// loadAssignment groups endpoints by locality (sorted), keeping those whose
// labels match subset. Each endpoint carries its weight and HEALTHY; each
// locality the sum of its endpoints' weights. ipOnly drops endpoints whose
// address is not an IP (EDS carries IPs; the registry reports the others).
func loadAssignment(name string, eps []*registry.Endpoint, subset map[string]string, ipOnly bool) *endpointv3.ClusterLoadAssignment {
	cla := &endpointv3.ClusterLoadAssignment{ClusterName: name}
	byLocality := map[registry.Locality]*endpointv3.LocalityLbEndpoints{}
	var order []registry.Locality
	for _, e := range eps {
		if !registry.LabelsMatch(subset, e.Labels) {
			continue
		}
		if _, err := netip.ParseAddr(e.Address); ipOnly && err != nil {
			continue
		}
		group := byLocality[e.Locality]
		if group == nil {
			group = &endpointv3.LocalityLbEndpoints{Locality: locality(e.Locality), LoadBalancingWeight: uint32Value(0)}
			byLocality[e.Locality] = group
			order = append(order, e.Locality)
		}
		group.LbEndpoints = append(group.LbEndpoints, &endpointv3.LbEndpoint{
			HostIdentifier:      &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: socketAddress(e.Address, e.Port)}},
			HealthStatus:        corev3.HealthStatus_HEALTHY,
			LoadBalancingWeight: uint32Value(max(e.Weight, 1)),
		})
		group.LoadBalancingWeight.Value += max(e.Weight, 1)
	}
	slices.SortFunc(order, func(a, b registry.Locality) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.SubZone, b.SubZone))
	})
	for _, l := range order {
		cla.Endpoints = append(cla.Endpoints, byLocality[l])
	}
	return cla
}

// locality is always set, empty when the workload names none: gRPC's
// proxyless xDS client rejects a load assignment with a locality without one.
func locality(l registry.Locality) *corev3.Locality {
	return &corev3.Locality{Region: l.Region, Zone: l.Zone, SubZone: l.SubZone}
}

// singleEndpoint is a load assignment with one endpoint.
func singleEndpoint(name string, ap netip.AddrPort) *endpointv3.ClusterLoadAssignment {
	return &endpointv3.ClusterLoadAssignment{ClusterName: name, Endpoints: []*endpointv3.LocalityLbEndpoints{{
		LbEndpoints: []*endpointv3.LbEndpoint{{
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
				Address: socketAddress(ap.Addr().String(), uint32(ap.Port())),
			}},
		}},
	}}}
}

// subsetEndpoints returns the endpoints whose labels match subset (all for nil).
func subsetEndpoints(eps []*registry.Endpoint, subset map[string]string) []*registry.Endpoint {
	if len(subset) == 0 {
		return eps
	}
	var out []*registry.Endpoint
	for _, e := range eps {
		if registry.LabelsMatch(subset, e.Labels) {
			out = append(out, e)
		}
	}
	return out
}

// endpointsFingerprint hashes what a load assignment shows of endpoints.
func endpointsFingerprint(eps []*registry.Endpoint) uint64 {
	f := newFingerprint()
	for _, e := range eps {
		f.str(e.Address)
		f.num(uint64(e.Port))
		f.num(uint64(e.Weight))
		f.str(e.Locality.String())
	}
	return f.sum()
}
