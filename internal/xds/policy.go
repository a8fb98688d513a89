package xds

import (
	"math"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/registry"
)

const (
	defaultConnectTimeoutSeconds = 10
	httpProtocolOptionsKey       = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
)

// trafficPolicy is the part of a DestinationRule's traffic policy that applies
// to one cluster, merged as Istio merges it: the rule's policy, then the
// subset's. Each replaces, section by section, what the one before set; then
// its port-level entry for the port, if any, replaces every section — one it
// leaves unset goes back to the default rather than being inherited, as
// Istio documents port-level settings.
type trafficPolicy struct {
	lb   *v1alpha3.LoadBalancerSettings
	pool *v1alpha3.ConnectionPoolSettings
}

func effectivePolicy(dr *destinationRule, subset *v1alpha3.Subset, port uint32) trafficPolicy {
	var tp trafficPolicy
	if dr != nil {
		tp.apply(dr.spec.GetTrafficPolicy(), port)
	}
	tp.apply(subset.GetTrafficPolicy(), port)
	return tp
}

func (tp *trafficPolicy) apply(in *v1alpha3.TrafficPolicy, port uint32) {
	if in.GetLoadBalancer() != nil {
		tp.lb = in.GetLoadBalancer()
	}
	if in.GetConnectionPool() != nil {
		tp.pool = in.GetConnectionPool()
	}
	for _, pl := range in.GetPortLevelSettings() {
		if pl.GetPort().GetNumber() == port {
			*tp = trafficPolicy{lb: pl.GetLoadBalancer(), pool: pl.GetConnectionPool()}
			return
		}
	}
}

func (tp trafficPolicy) connectTimeout() *durationpb.Duration {
	if d := tp.pool.GetTcp().GetConnectTimeout(); d != nil {
		return durationpb.New(d.AsDuration())
	}
	return seconds(defaultConnectTimeoutSeconds)
}

// lbPolicy maps `simple`; Istio's default is LEAST_REQUEST. Consistent hash
// and PASSTHROUGH are reported by Unsupported and get the default.
func (tp trafficPolicy) lbPolicy() clusterv3.Cluster_LbPolicy {
	switch tp.lb.GetSimple() {
	case v1alpha3.LoadBalancerSettings_ROUND_ROBIN:
		return clusterv3.Cluster_ROUND_ROBIN
	case v1alpha3.LoadBalancerSettings_RANDOM:
		return clusterv3.Cluster_RANDOM
	}
	return clusterv3.Cluster_LEAST_REQUEST
}

// circuitBreakers are Istio's: unlimited (2^32-1) unless the connection pool
// settings say otherwise.
func (tp trafficPolicy) circuitBreakers() *clusterv3.CircuitBreakers {
	cb := defaultCircuitBreakers()
	t := cb.Thresholds[0]
	if n := tp.pool.GetTcp().GetMaxConnections(); n > 0 {
		t.MaxConnections = uint32Value(uint32(n))
	}
	http := tp.pool.GetHttp()
	if n := http.GetHttp1MaxPendingRequests(); n > 0 {
		t.MaxPendingRequests = uint32Value(uint32(n))
	}
	if n := http.GetHttp2MaxRequests(); n > 0 {
		t.MaxRequests = uint32Value(uint32(n))
	}
	if n := http.GetMaxRetries(); n > 0 {
		t.MaxRetries = uint32Value(uint32(n))
	}
	return cb
}

func defaultCircuitBreakers() *clusterv3.CircuitBreakers {
	unlimited := uint32Value(math.MaxUint32)
	return &clusterv3.CircuitBreakers{Thresholds: []*clusterv3.CircuitBreakers_Thresholds{{
		MaxConnections:     unlimited,
		MaxPendingRequests: unlimited,
		MaxRequests:        unlimited,
		MaxRetries:         unlimited,
	}}}
}

// httpOptions are the upstream HTTP protocol options of an HTTP port:
// HTTP/2 for HTTP2 and GRPC ports (or h2UpgradePolicy UPGRADE), the client's
// protocol with useClientProtocol, HTTP/1.1 otherwise.
func (tp trafficPolicy) httpOptions(protocol registry.Protocol) *httpv3.HttpProtocolOptions {
	http := tp.pool.GetHttp()
	opts := &httpv3.HttpProtocolOptions{}
	common := &corev3.HttpProtocolOptions{}
	if d := http.GetIdleTimeout(); d != nil {
		common.IdleTimeout = durationpb.New(d.AsDuration())
	}
	if n := http.GetMaxRequestsPerConnection(); n > 0 {
		common.MaxRequestsPerConnection = uint32Value(uint32(n))
	}
	if common.IdleTimeout != nil || common.MaxRequestsPerConnection != nil {
		opts.CommonHttpProtocolOptions = common
	}
	switch {
	case http.GetUseClientProtocol():
		return downstreamProtocolWith(opts)
	case protocol.IsHTTP2() || http.GetH2UpgradePolicy() == v1alpha3.ConnectionPoolSettings_HTTPSettings_UPGRADE:
		opts.UpstreamProtocolOptions = &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
			ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{Http2ProtocolOptions: &corev3.Http2ProtocolOptions{}},
		}}
	default:
		opts.UpstreamProtocolOptions = &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
			ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_HttpProtocolOptions{HttpProtocolOptions: &corev3.Http1ProtocolOptions{}},
		}}
	}
	return opts
}

// downstreamProtocol speaks to the upstream whatever the client spoke.
func downstreamProtocol() *httpv3.HttpProtocolOptions {
	return downstreamProtocolWith(&httpv3.HttpProtocolOptions{})
}

func downstreamProtocolWith(opts *httpv3.HttpProtocolOptions) *httpv3.HttpProtocolOptions {
	opts.UpstreamProtocolOptions = &httpv3.HttpProtocolOptions_UseDownstreamProtocolConfig{
		UseDownstreamProtocolConfig: &httpv3.HttpProtocolOptions_UseDownstreamHttpConfig{
			HttpProtocolOptions:  &corev3.Http1ProtocolOptions{},
			Http2ProtocolOptions: &corev3.Http2ProtocolOptions{},
		},
	}
	return opts
}
