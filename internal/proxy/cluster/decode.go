package cluster

import (
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// Envoy's defaults for fields a Cluster may leave unset.
const (
	DefaultConnectTimeout      = 5 * time.Second
	DefaultIdleTimeout         = time.Hour
	DefaultDNSRefreshRate      = 5 * time.Second
	DefaultLeastRequestChoices = 2
	DefaultMaxConnections      = 1024
	DefaultMaxPendingRequests  = 1024
	DefaultMaxRequests         = 1024
	DefaultMaxRetries          = 3
)

// clusterFields are the Cluster fields docs/xds.md emits; any other is NACKed.
var clusterFields = []string{
	"name", "alt_stat_name", "type", "eds_cluster_config", "connect_timeout",
	"lb_policy", "least_request_lb_config", "circuit_breakers",
	"typed_extension_protocol_options", "load_assignment", "dns_refresh_rate", "metadata",
}

// Decode validates an xDS Cluster and converts it to a Config, applying
// Envoy's defaults. Errors name the cluster, the field path and the reason.
func Decode(c *clusterv3.Cluster) (*Config, error) {
	cfg, err := decode(c)
	return cfg, xdsdecode.ForResource("cluster", c.GetName(), err)
}

func decode(c *clusterv3.Cluster) (*Config, error) {
	if err := xdsdecode.Validate(c); err != nil {
		return nil, err
	}
	if err := xdsdecode.OnlyFields(c, clusterFields...); err != nil {
		return nil, err
	}
	cfg := &Config{Name: c.GetName()}
	steps := []func(*clusterv3.Cluster, *Config) error{
		decodeDiscovery, decodeTimeouts, decodeLB, decodeLimits, decodeProtocol,
	}
	for _, step := range steps {
		if err := step(c, cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func decodeDiscovery(c *clusterv3.Cluster, cfg *Config) error {
	switch c.GetType() {
	case clusterv3.Cluster_STATIC:
		cfg.Discovery = Static
	case clusterv3.Cluster_STRICT_DNS:
		cfg.Discovery = StrictDNS
	case clusterv3.Cluster_EDS:
		cfg.Discovery = EDS
		return decodeEDSConfig(c, cfg)
	default:
		return xdsdecode.Errorf("type", "%s: not supported (want STATIC, EDS or STRICT_DNS)", c.GetType())
	}
	if c.GetEdsClusterConfig() != nil {
		return xdsdecode.Errorf("eds_cluster_config", "only allowed with type EDS")
	}
	eps := &Endpoints{ClusterName: c.GetName()}
	if la := c.GetLoadAssignment(); la != nil {
		var err error
		if eps, err = decodeAssignment(la, cfg.Discovery == StrictDNS); err != nil {
			return xdsdecode.At(err, "load_assignment")
		}
	}
	cfg.Endpoints = eps
	return nil
}

func decodeEDSConfig(c *clusterv3.Cluster, cfg *Config) error {
	if c.GetLoadAssignment() != nil {
		return xdsdecode.Errorf("load_assignment", "not allowed with type EDS (endpoints come from EDS)")
	}
	eds := c.GetEdsClusterConfig()
	if err := xdsdecode.OnlyFields(eds, "eds_config", "service_name"); err != nil {
		return xdsdecode.At(err, "eds_cluster_config")
	}
	if err := checkADS(eds.GetEdsConfig()); err != nil {
		return xdsdecode.At(err, "eds_cluster_config.eds_config")
	}
	cfg.EDSServiceName = eds.GetServiceName()
	if cfg.EDSServiceName == "" {
		cfg.EDSServiceName = c.GetName()
	}
	return nil
}

// checkADS accepts only a ConfigSource that points at the ADS stream.
func checkADS(src *corev3.ConfigSource) error {
	if src.GetAds() == nil {
		return xdsdecode.Errorf("", "must be {ads: {}}: the proxy fetches everything over its one ADS stream")
	}
	return xdsdecode.OnlyFields(src, "ads", "resource_api_version")
}

func decodeTimeouts(c *clusterv3.Cluster, cfg *Config) error {
	var err error
	if cfg.ConnectTimeout, err = xdsdecode.Duration(c.GetConnectTimeout(), DefaultConnectTimeout, "connect_timeout"); err != nil {
		return err
	}
	if cfg.ConnectTimeout == 0 {
		return xdsdecode.Errorf("connect_timeout", "must be positive")
	}
	//lint:ignore SA1019 docs/xds.md emits dns_refresh_rate on STRICT_DNS clusters, as Istio does.
	if cfg.DNSRefreshRate, err = xdsdecode.Duration(c.GetDnsRefreshRate(), DefaultDNSRefreshRate, "dns_refresh_rate"); err != nil {
		return err
	}
	//lint:ignore SA1019 as above
	if c.GetDnsRefreshRate() != nil && cfg.Discovery != StrictDNS {
		return xdsdecode.Errorf("dns_refresh_rate", "only allowed with type STRICT_DNS")
	}
	return nil
}
