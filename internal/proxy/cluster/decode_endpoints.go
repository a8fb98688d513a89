package cluster

import (
	"net/netip"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// DecodeEndpoints validates an EDS ClusterLoadAssignment and converts it.
// EDS endpoints must be IP addresses.
func DecodeEndpoints(cla *endpointv3.ClusterLoadAssignment) (*Endpoints, error) {
	eps, err := decodeEDS(cla)
	return eps, xdsdecode.ForResource("endpoints", cla.GetClusterName(), err)
}

func decodeEDS(cla *endpointv3.ClusterLoadAssignment) (*Endpoints, error) {
	if err := xdsdecode.Validate(cla); err != nil {
		return nil, err
	}
	return decodeAssignment(cla, false)
}

// decodeAssignment converts a validated assignment; byName keeps hostnames
// (STRICT_DNS) instead of requiring IP addresses.
func decodeAssignment(cla *endpointv3.ClusterLoadAssignment, byName bool) (*Endpoints, error) {
	if err := xdsdecode.OnlyFields(cla, "cluster_name", "endpoints"); err != nil {
		return nil, err
	}
	eps := &Endpoints{ClusterName: cla.GetClusterName()}
	for i, lle := range cla.GetEndpoints() {
		loc, err := decodeLocality(lle, byName)
		if err != nil {
			return nil, xdsdecode.At(err, xdsdecode.Index("endpoints", i))
		}
		eps.Localities = append(eps.Localities, loc)
	}
	return eps, nil
}

func decodeLocality(lle *endpointv3.LocalityLbEndpoints, byName bool) (Locality, error) {
	if err := xdsdecode.OnlyFields(lle, "locality", "lb_endpoints", "load_balancing_weight", "priority", "metadata"); err != nil {
		return Locality{}, err
	}
	if err := xdsdecode.OnlyFields(lle.GetLocality(), "region", "zone", "sub_zone"); err != nil {
		return Locality{}, xdsdecode.At(err, "locality")
	}
	loc := Locality{
		Region:   lle.GetLocality().GetRegion(),
		Zone:     lle.GetLocality().GetZone(),
		SubZone:  lle.GetLocality().GetSubZone(),
		Priority: lle.GetPriority(),
		Weight:   lle.GetLoadBalancingWeight().GetValue(),
	}
	for i, lbe := range lle.GetLbEndpoints() {
		ep, err := decodeEndpoint(lbe, byName)
		if err != nil {
			return Locality{}, xdsdecode.At(err, xdsdecode.Index("lb_endpoints", i))
		}
		loc.Endpoints = append(loc.Endpoints, ep)
	}
	return loc, nil
}

func decodeEndpoint(lbe *endpointv3.LbEndpoint, byName bool) (Endpoint, error) {
	if err := xdsdecode.OnlyFields(lbe, "endpoint", "health_status", "metadata", "load_balancing_weight"); err != nil {
		return Endpoint{}, err
	}
	if lbe.GetEndpoint() == nil {
		return Endpoint{}, xdsdecode.Errorf("endpoint", "required")
	}
	if err := xdsdecode.OnlyFields(lbe.GetEndpoint(), "address", "hostname"); err != nil {
		return Endpoint{}, xdsdecode.At(err, "endpoint")
	}
	ep := Endpoint{Weight: 1, Healthy: healthy(lbe.GetHealthStatus())}
	if w := lbe.GetLoadBalancingWeight(); w != nil {
		ep.Weight = w.GetValue()
	}
	host, port, err := xdsdecode.SocketAddress(lbe.GetEndpoint().GetAddress())
	if err != nil {
		return Endpoint{}, xdsdecode.At(err, "endpoint.address")
	}
	if byName {
		ep.Hostname, ep.Port = host, port
		return ep, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return Endpoint{}, xdsdecode.Errorf("endpoint.address.socket_address.address", "%q: must be an IP address", host)
	}
	ep.Addr = netip.AddrPortFrom(ip.Unmap(), port)
	return ep, nil
}

// healthy says whether Envoy would route to an endpoint with this status.
func healthy(s corev3.HealthStatus) bool {
	return s == corev3.HealthStatus_UNKNOWN || s == corev3.HealthStatus_HEALTHY
}
