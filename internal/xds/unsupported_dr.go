package xds

import (
	"fmt"

	"istio.io/api/networking/v1alpha3"
)

func (f *finder) destinationRule(dr *v1alpha3.DestinationRule) {
	if dr.GetWorkloadSelector() != nil {
		f.warn("spec.workloadSelector", "DestinationRules scoped to workloads are not supported yet; this rule applies to no proxy")
	}
	f.trafficPolicy("spec.trafficPolicy", dr.GetTrafficPolicy())
	for i, s := range dr.GetSubsets() {
		f.trafficPolicy(fmt.Sprintf("spec.subsets[%d].trafficPolicy", i), s.GetTrafficPolicy())
	}
}

func (f *finder) trafficPolicy(field string, tp *v1alpha3.TrafficPolicy) {
	if tp == nil {
		return
	}
	f.policySections(field, tp.GetLoadBalancer(), tp.GetConnectionPool(), tp.GetOutlierDetection(), tp.GetTls())
	for i, pl := range tp.GetPortLevelSettings() {
		f.policySections(fmt.Sprintf("%s.portLevelSettings[%d]", field, i), pl.GetLoadBalancer(), pl.GetConnectionPool(), pl.GetOutlierDetection(), pl.GetTls())
	}
	if tp.GetTunnel() != nil {
		f.warn(field+".tunnel", "not supported yet; ignored")
	}
	if tp.GetProxyProtocol() != nil {
		f.warn(field+".proxyProtocol", "not supported yet; ignored")
	}
	if tp.GetRetryBudget() != nil {
		f.warn(field+".retryBudget", "not supported yet; ignored")
	}
}

func (f *finder) policySections(field string, lb *v1alpha3.LoadBalancerSettings, pool *v1alpha3.ConnectionPoolSettings,
	outlier *v1alpha3.OutlierDetection, tls *v1alpha3.ClientTLSSettings) {
	if tls != nil && tls.GetMode() != v1alpha3.ClientTLSSettings_DISABLE {
		f.warn(field+".tls", "mode %s is not applied until mTLS lands; traffic stays plaintext", tls.GetMode())
	}
	if outlier != nil {
		f.warn(field+".outlierDetection", "not applied yet; no host is ejected")
	}
	f.loadBalancer(field+".loadBalancer", lb)
	f.connectionPool(field+".connectionPool", pool)
}

func (f *finder) loadBalancer(field string, lb *v1alpha3.LoadBalancerSettings) {
	if lb == nil {
		return
	}
	switch {
	case lb.GetConsistentHash() != nil:
		f.warn(field+".consistentHash", "consistent hashing is not supported yet; LEAST_REQUEST is used")
	case lb.GetBackendUtilization() != nil:
		f.warn(field+".backendUtilization", "not supported yet; LEAST_REQUEST is used")
	case lb.GetSimple() == v1alpha3.LoadBalancerSettings_PASSTHROUGH:
		f.warn(field+".simple", "PASSTHROUGH is not supported; LEAST_REQUEST is used")
	}
	if lb.GetLocalityLbSetting() != nil {
		f.warn(field+".localityLbSetting", "locality-aware load balancing is not supported yet; ignored")
	}
	if lb.GetZoneAwareLbSetting() != nil {
		f.warn(field+".zoneAwareLbSetting", "not supported yet; ignored")
	}
	if lb.GetWarmupDurationSecs() != nil || lb.GetWarmup() != nil {
		f.warn(field+".warmup", "slow start is not supported yet; ignored")
	}
}

func (f *finder) connectionPool(field string, pool *v1alpha3.ConnectionPoolSettings) {
	tcp, http := pool.GetTcp(), pool.GetHttp()
	if tcp.GetTcpKeepalive() != nil {
		f.warn(field+".tcp.tcpKeepalive", "not applied yet")
	}
	if tcp.GetMaxConnectionDuration() != nil {
		f.warn(field+".tcp.maxConnectionDuration", "not applied yet")
	}
	if tcp.GetIdleTimeout() != nil {
		f.warn(field+".tcp.idleTimeout", "not applied yet (http.idleTimeout is)")
	}
	if http.GetMaxConcurrentStreams() != 0 {
		f.warn(field+".http.maxConcurrentStreams", "not applied yet")
	}
	if http.GetHttp2KeepAlive() != nil {
		f.warn(field+".http.http2KeepAlive", "not applied yet")
	}
}
