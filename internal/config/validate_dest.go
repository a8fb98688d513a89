package config

import (
	networking "istio.io/api/networking/v1alpha3"
)

// destination checks host, subset and port of a route's destination.
func (f *findings) destination(path string, d *networking.Destination) {
	host := d.GetHost()
	switch {
	case host == "":
		f.errorf(dot(path, "host"), "required")
	case host == "*":
		f.errorf(dot(path, "host"), "the wildcard * is not a destination; name a service")
	default:
		f.check(dot(path, "host"), validateWildcardHost(host))
	}
	if s := d.GetSubset(); s != "" && !isDNS1123Label(s) {
		f.errorf(dot(path, "subset"), "%q must be a DNS label (lowercase letters, digits and '-')", s)
	}
	if p := d.GetPort(); p != nil {
		f.check(dot(path, "port.number"), validatePort(int64(p.GetNumber())))
	}
}

// weightedDestination is what HTTP and TCP/TLS route destinations share.
type weightedDestination interface {
	GetDestination() *networking.Destination
	GetWeight() int32
}

// routeDestinations checks each destination and the weights: each 0..100 and,
// with several destinations, a sum that is not 0. Istio splits traffic in
// proportion to the weights; a sum other than 100 is allowed, with a warning.
func routeDestinations[D weightedDestination](f *findings, path string, dests []D) {
	var total int64
	weightsOK := true
	for i, d := range dests {
		p := index(path, i)
		if d.GetDestination() == nil {
			f.errorf(dot(p, "destination"), "required")
		} else {
			f.destination(dot(p, "destination"), d.GetDestination())
		}
		if w := d.GetWeight(); w < 0 || w > 100 {
			f.errorf(dot(p, "weight"), "must be between 0 and 100")
			weightsOK = false
		}
		total += int64(d.GetWeight())
	}
	switch {
	case len(dests) < 2 || !weightsOK:
	case total == 0:
		f.errorf(path, "the weights sum to 0: no destination would receive traffic")
	case total != 100:
		f.warnf(path, "the weights sum to %d, not 100: each destination receives weight/%d of the traffic", total, total)
	}
}

func (f *findings) httpRouteDestinations(path string, dests []*networking.HTTPRouteDestination) {
	routeDestinations(f, path, dests)
	for i, d := range dests {
		f.headerOperations(dot(index(path, i), "headers"), d.GetHeaders())
	}
}

func (f *findings) tcpRoute(path string, r *networking.TCPRoute) {
	for j, m := range r.GetMatch() {
		f.l4Match(index(dot(path, "match"), j), m.GetDestinationSubnets(), m.GetPort(), m.GetSourceLabels(), m.GetGateways())
	}
	if len(r.GetRoute()) == 0 {
		f.errorf(dot(path, "route"), "at least one destination is required")
	}
	routeDestinations(f, dot(path, "route"), r.GetRoute())
}

func (f *findings) tlsRoute(path string, r *networking.TLSRoute, hosts []string) {
	if len(r.GetMatch()) == 0 {
		f.errorf(dot(path, "match"), "at least one match with sniHosts is required")
	}
	for j, m := range r.GetMatch() {
		p := index(dot(path, "match"), j)
		f.l4Match(p, m.GetDestinationSubnets(), m.GetPort(), m.GetSourceLabels(), m.GetGateways())
		if len(m.GetSniHosts()) == 0 {
			f.errorf(dot(p, "sniHosts"), "at least one SNI host is required")
		}
		for k, sni := range m.GetSniHosts() {
			f.sniHost(index(dot(p, "sniHosts"), k), sni, hosts)
		}
	}
	if len(r.GetRoute()) == 0 {
		f.errorf(dot(path, "route"), "at least one destination is required")
	}
	routeDestinations(f, dot(path, "route"), r.GetRoute())
}

func (f *findings) sniHost(path, sni string, hosts []string) {
	if err := validateWildcardHost(sni); err != nil {
		if isIP(sni) {
			f.warnf(path, "an IP address (%q) as SNI goes against the TLS spec; most clients never send it", sni)
			return
		}
		f.errorf(path, "%v", err)
		return
	}
	for _, h := range hosts {
		if hostMatches(h, sni) {
			return
		}
	}
	f.errorf(path, "SNI host %q is not covered by any of the VirtualService's hosts", sni)
}

func (f *findings) l4Match(path string, subnets []string, port uint32, labels map[string]string, gateways []string) {
	for i, s := range subnets {
		f.check(index(dot(path, "destinationSubnets"), i), validateIPOrCIDR(s))
	}
	if port != 0 {
		f.check(dot(path, "port"), validatePort(int64(port)))
	}
	f.checkLabels(dot(path, "sourceLabels"), labels)
	f.gatewayNames(dot(path, "gateways"), gateways)
}

// unreachableHTTPRoutes warns about routes after one that matches every request.
func (f *findings) unreachableHTTPRoutes(routes []*networking.HTTPRoute) {
	catchAll := -1
	for i, r := range routes {
		if catchAll >= 0 {
			f.warnf(index("spec.http", i), "never used: spec.http[%d] before it matches every request", catchAll)
			continue
		}
		if len(r.GetMatch()) == 0 {
			catchAll = i
		}
	}
}
