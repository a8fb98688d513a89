package cluster

import (
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// HTTPProtocolOptionsKey is the typed_extension_protocol_options key of the
// upstream HTTP protocol options.
const HTTPProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

func decodeLB(c *clusterv3.Cluster, cfg *Config) error {
	switch c.GetLbPolicy() {
	case clusterv3.Cluster_ROUND_ROBIN:
		cfg.LB = RoundRobin
	case clusterv3.Cluster_LEAST_REQUEST:
		cfg.LB = LeastRequest
	case clusterv3.Cluster_RANDOM:
		cfg.LB = Random
	default:
		return xdsdecode.Errorf("lb_policy", "%s: not supported (want ROUND_ROBIN, LEAST_REQUEST or RANDOM)", c.GetLbPolicy())
	}
	cfg.LeastRequestChoices = DefaultLeastRequestChoices
	lr := c.GetLeastRequestLbConfig()
	if lr == nil {
		return nil
	}
	if cfg.LB != LeastRequest {
		return xdsdecode.Errorf("least_request_lb_config", "only allowed with lb_policy LEAST_REQUEST")
	}
	if err := xdsdecode.OnlyFields(lr, "choice_count"); err != nil {
		return xdsdecode.At(err, "least_request_lb_config")
	}
	if n := lr.GetChoiceCount(); n != nil {
		cfg.LeastRequestChoices = n.GetValue()
	}
	return nil
}

// decodeLimits reads the DEFAULT priority thresholds. HIGH priority ones are
// accepted and unused: no route the proxy accepts has priority HIGH.
func decodeLimits(c *clusterv3.Cluster, cfg *Config) error {
	cfg.Limits = Limits{
		MaxConnections:     DefaultMaxConnections,
		MaxPendingRequests: DefaultMaxPendingRequests,
		MaxRequests:        DefaultMaxRequests,
		MaxRetries:         DefaultMaxRetries,
	}
	cb := c.GetCircuitBreakers()
	if err := xdsdecode.OnlyFields(cb, "thresholds"); err != nil {
		return xdsdecode.At(err, "circuit_breakers")
	}
	seen := map[corev3.RoutingPriority]bool{}
	for i, t := range cb.GetThresholds() {
		path := xdsdecode.Index("circuit_breakers.thresholds", i)
		if seen[t.GetPriority()] {
			return xdsdecode.Errorf(path, "priority %s: listed twice", t.GetPriority())
		}
		seen[t.GetPriority()] = true
		if err := xdsdecode.OnlyFields(t, "priority", "max_connections", "max_pending_requests",
			"max_requests", "max_retries", "track_remaining"); err != nil {
			return xdsdecode.At(err, path)
		}
		if t.GetPriority() == corev3.RoutingPriority_DEFAULT {
			applyThresholds(&cfg.Limits, t)
		}
	}
	return nil
}

func applyThresholds(l *Limits, t *clusterv3.CircuitBreakers_Thresholds) {
	if v := t.GetMaxConnections(); v != nil {
		l.MaxConnections = v.GetValue()
	}
	if v := t.GetMaxPendingRequests(); v != nil {
		l.MaxPendingRequests = v.GetValue()
	}
	if v := t.GetMaxRequests(); v != nil {
		l.MaxRequests = v.GetValue()
	}
	if v := t.GetMaxRetries(); v != nil {
		l.MaxRetries = v.GetValue()
	}
}

func decodeProtocol(c *clusterv3.Cluster, cfg *Config) error {
	cfg.Protocol = HTTP1
	cfg.IdleTimeout = DefaultIdleTimeout
	for _, key := range xdsdecode.SortedKeys(c.GetTypedExtensionProtocolOptions()) {
		a := c.GetTypedExtensionProtocolOptions()[key]
		path := xdsdecode.Key("typed_extension_protocol_options", key)
		if key != HTTPProtocolOptionsKey {
			return xdsdecode.Errorf(path, "unsupported protocol options (want %q)", HTTPProtocolOptionsKey)
		}
		var opts httpv3.HttpProtocolOptions
		if err := xdsdecode.Unpack(a, &opts); err != nil {
			return xdsdecode.At(err, path)
		}
		if err := decodeHTTPOptions(&opts, cfg); err != nil {
			return xdsdecode.At(err, path)
		}
	}
	return nil
}

func decodeHTTPOptions(opts *httpv3.HttpProtocolOptions, cfg *Config) error {
	if err := xdsdecode.OnlyFields(opts, "common_http_protocol_options",
		"explicit_http_config", "use_downstream_protocol_config"); err != nil {
		return err
	}
	if err := decodeCommonHTTP(opts.GetCommonHttpProtocolOptions(), cfg); err != nil {
		return xdsdecode.At(err, "common_http_protocol_options")
	}
	switch {
	case opts.GetExplicitHttpConfig() != nil:
		return decodeExplicit(opts.GetExplicitHttpConfig(), cfg)
	case opts.GetUseDownstreamProtocolConfig() != nil:
		cfg.Protocol = UseDownstream
		return decodeDownstream(opts.GetUseDownstreamProtocolConfig())
	}
	return nil
}

func decodeCommonHTTP(common *corev3.HttpProtocolOptions, cfg *Config) error {
	if err := xdsdecode.OnlyFields(common, "idle_timeout", "max_requests_per_connection"); err != nil {
		return err
	}
	var err error
	if cfg.IdleTimeout, err = xdsdecode.IdleTimeout(common.GetIdleTimeout(), DefaultIdleTimeout, "idle_timeout"); err != nil {
		return err
	}
	cfg.MaxRequestsPerConnection = common.GetMaxRequestsPerConnection().GetValue()
	return nil
}

func decodeExplicit(e *httpv3.HttpProtocolOptions_ExplicitHttpConfig, cfg *Config) error {
	const path = "explicit_http_config"
	switch {
	case e.GetHttpProtocolOptions() != nil:
		cfg.Protocol = HTTP1
		return xdsdecode.At(xdsdecode.OnlyFields(e.GetHttpProtocolOptions()), path+".http_protocol_options")
	case e.GetHttp2ProtocolOptions() != nil:
		cfg.Protocol = HTTP2
		return xdsdecode.At(xdsdecode.OnlyFields(e.GetHttp2ProtocolOptions()), path+".http2_protocol_options")
	}
	return xdsdecode.Errorf(path, "want http_protocol_options or http2_protocol_options")
}

func decodeDownstream(d *httpv3.HttpProtocolOptions_UseDownstreamHttpConfig) error {
	const path = "use_downstream_protocol_config"
	if err := xdsdecode.OnlyFields(d, "http_protocol_options", "http2_protocol_options"); err != nil {
		return xdsdecode.At(err, path)
	}
	if err := xdsdecode.OnlyFields(d.GetHttpProtocolOptions()); err != nil {
		return xdsdecode.At(err, path+".http_protocol_options")
	}
	return xdsdecode.At(xdsdecode.OnlyFields(d.GetHttp2ProtocolOptions()), path+".http2_protocol_options")
}
