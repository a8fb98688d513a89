package config

import (
	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) destinationRule(dr *networking.DestinationRule) {
	switch h := dr.GetHost(); {
	case h == "":
		f.errorf("spec.host", "required")
	case h == "*":
		f.errorf("spec.host", "the wildcard * is not a service host")
	default:
		f.check("spec.host", validateWildcardHost(h))
	}
	f.trafficPolicy("spec.trafficPolicy", dr.GetTrafficPolicy())
	seen := map[string]bool{}
	for i, s := range dr.GetSubsets() {
		p := index("spec.subsets", i)
		switch name := s.GetName(); {
		case name == "":
			f.errorf(dot(p, "name"), "required")
		case !isDNS1123Label(name):
			f.errorf(dot(p, "name"), "%q must be a DNS label (lowercase letters, digits and '-')", name)
		case seen[name]:
			f.errorf(dot(p, "name"), "duplicate subset name %q", name)
		}
		seen[s.GetName()] = true
		if len(s.GetLabels()) == 0 {
			f.warnf(dot(p, "labels"), "no labels: subset %q selects every endpoint of the host", s.GetName())
		}
		f.checkLabels(dot(p, "labels"), s.GetLabels())
		f.trafficPolicy(dot(p, "trafficPolicy"), s.GetTrafficPolicy())
	}
	f.exportTo("spec.exportTo", dr.GetExportTo())
	if sel := dr.GetWorkloadSelector(); sel != nil {
		f.selector("spec.workloadSelector.matchLabels", sel.GetMatchLabels())
	}
}

func (f *findings) trafficPolicy(path string, tp *networking.TrafficPolicy) {
	if tp == nil {
		return
	}
	if tp.GetOutlierDetection() == nil && tp.GetConnectionPool() == nil && tp.GetLoadBalancer() == nil &&
		tp.GetTls() == nil && len(tp.GetPortLevelSettings()) == 0 && tp.GetTunnel() == nil && tp.GetProxyProtocol() == nil {
		f.errorf(path, "a traffic policy must set at least one field")
		return
	}
	f.loadBalancer(dot(path, "loadBalancer"), tp.GetLoadBalancer())
	f.connectionPool(dot(path, "connectionPool"), tp.GetConnectionPool())
	f.outlierDetection(dot(path, "outlierDetection"), tp.GetOutlierDetection())
	f.clientTLS(dot(path, "tls"), tp.GetTls())
	for i, pl := range tp.GetPortLevelSettings() {
		p := index(dot(path, "portLevelSettings"), i)
		if pl.GetPort() == nil {
			f.errorf(dot(p, "port"), "required")
		} else {
			f.check(dot(p, "port.number"), validatePort(int64(pl.GetPort().GetNumber())))
		}
		if pl.GetLoadBalancer() == nil && pl.GetConnectionPool() == nil && pl.GetOutlierDetection() == nil && pl.GetTls() == nil {
			f.errorf(p, "a port traffic policy must set at least one of loadBalancer, connectionPool, outlierDetection or tls")
		}
		f.loadBalancer(dot(p, "loadBalancer"), pl.GetLoadBalancer())
		f.connectionPool(dot(p, "connectionPool"), pl.GetConnectionPool())
		f.outlierDetection(dot(p, "outlierDetection"), pl.GetOutlierDetection())
		f.clientTLS(dot(p, "tls"), pl.GetTls())
	}
	if tp.GetTunnel() != nil && tp.GetProxyProtocol() != nil {
		f.errorf(path, "tunnel and proxyProtocol cannot be set together")
	}
	if pp := tp.GetProxyProtocol(); pp != nil && pp.GetVersion() != 0 && pp.GetVersion() != 1 {
		f.errorf(dot(path, "proxyProtocol.version"), "unknown version %d", pp.GetVersion())
	}
}

func (f *findings) loadBalancer(path string, lb *networking.LoadBalancerSettings) {
	if lb == nil {
		return
	}
	if ch := lb.GetConsistentHash(); ch != nil {
		if c := ch.GetHttpCookie(); c != nil && c.GetName() == "" {
			f.errorf(dot(path, "consistentHash.httpCookie.name"), "required")
		}
		if ch.GetHttpHeaderName() == "" && ch.GetHttpCookie() == nil && !ch.GetUseSourceIp() && ch.GetHttpQueryParameterName() == "" {
			f.errorf(dot(path, "consistentHash"), "set one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName")
		}
		if m := ch.GetMaglev(); m != nil && (m.GetTableSize() == 0 || m.GetTableSize() >= 5000011 || !isPrime(m.GetTableSize())) {
			f.errorf(dot(path, "consistentHash.maglev.tableSize"), "must be a prime number below 5000011")
		}
	}
	if w := lb.GetWarmupDurationSecs(); w != nil {
		f.check(dot(path, "warmupDurationSecs"), validateDuration(w.AsDuration()))
	}
	if l := lb.GetLocalityLbSetting(); l != nil {
		f.localityLB(dot(path, "localityLbSetting"), l)
	}
}

func isPrime(x uint64) bool {
	if x < 2 {
		return false
	}
	for d := uint64(2); d*d <= x; d++ {
		if x%d == 0 {
			return false
		}
	}
	return true
}

func (f *findings) localityLB(path string, l *networking.LocalityLoadBalancerSetting) {
	if len(l.GetDistribute()) > 0 && len(l.GetFailover()) > 0 {
		f.errorf(path, "distribute and failover cannot be set together")
	}
	for i, d := range l.GetDistribute() {
		var sum uint32
		for _, w := range d.GetTo() {
			sum += w
		}
		if sum != 100 {
			f.errorf(dot(index(dot(path, "distribute"), i), "to"), "the weights sum to %d; they must sum to 100", sum)
		}
	}
	for i, fo := range l.GetFailover() {
		if fo.GetFrom() == fo.GetTo() {
			f.errorf(index(dot(path, "failover"), i), "from and to must differ (both %q)", fo.GetFrom())
		}
	}
}
