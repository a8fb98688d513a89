package listener

import (
	"net/netip"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// IstioMetadataKey is the listener metadata namespace that carries the
// workload's identity (docs/xds.md).
const IstioMetadataKey = "istio"

// Decode validates an xDS Listener and converts it to a Config. Errors name
// the listener, the field path and the reason:
// `listener 127.0.0.1_9080: filter_chains[0].filters[0]: unsupported filter "envoy.filters.network.redis_proxy"`.
func Decode(l *listenerv3.Listener) (*Config, error) {
	cfg, err := decode(l)
	return cfg, xdsdecode.ForResource("listener", l.GetName(), err)
}

func decode(l *listenerv3.Listener) (*Config, error) {
	if err := xdsdecode.Validate(l); err != nil {
		return nil, err
	}
	if err := xdsdecode.OnlyFields(l, "name", "address", "filter_chains",
		"traffic_direction", "metadata", "bind_to_port", "stat_prefix"); err != nil {
		return nil, err
	}
	if b := l.GetBindToPort(); b != nil && !b.GetValue() {
		return nil, xdsdecode.Errorf("bind_to_port", "false: not supported (every listener binds its own address)")
	}
	cfg := &Config{Name: l.GetName()}
	var err error
	if cfg.Address, err = bindAddress(l.GetAddress()); err != nil {
		return nil, xdsdecode.At(err, "address")
	}
	if cfg.Direction, err = direction(l.GetTrafficDirection()); err != nil {
		return nil, err
	}
	if len(l.GetFilterChains()) != 1 {
		return nil, xdsdecode.Errorf("filter_chains", "%d filter chains: want exactly one", len(l.GetFilterChains()))
	}
	if cfg.Chain, err = decodeChain(l.GetFilterChains()[0]); err != nil {
		return nil, xdsdecode.At(err, "filter_chains[0]")
	}
	if cfg.Workload, err = workloadInfo(l.GetMetadata()); err != nil {
		return nil, xdsdecode.At(err, xdsdecode.Key("metadata.filter_metadata", IstioMetadataKey))
	}
	return cfg, nil
}

func bindAddress(a *corev3.Address) (netip.AddrPort, error) {
	host, port, err := xdsdecode.SocketAddress(a)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, xdsdecode.Errorf("socket_address.address", "%q: must be an IP address", host)
	}
	return netip.AddrPortFrom(ip.Unmap(), port), nil
}

func direction(d corev3.TrafficDirection) (Direction, error) {
	switch d {
	case corev3.TrafficDirection_OUTBOUND:
		return Outbound, nil
	case corev3.TrafficDirection_INBOUND:
		return Inbound, nil
	}
	return 0, xdsdecode.Errorf("traffic_direction", "%s: must be OUTBOUND or INBOUND", d)
}

// workloadInfo reads metadata.filter_metadata["istio"]; other metadata
// namespaces are informational and ignored.
func workloadInfo(md *corev3.Metadata) (WorkloadInfo, error) {
	s, ok := md.GetFilterMetadata()[IstioMetadataKey]
	if !ok {
		return WorkloadInfo{}, nil
	}
	var w WorkloadInfo
	targets := map[string]*string{
		"workload": &w.Workload, "namespace": &w.Namespace, "service": &w.Service,
		"app": &w.App, "version": &w.Version, "service_account": &w.ServiceAccount,
	}
	var addr string
	targets["address"] = &addr
	for _, key := range xdsdecode.SortedKeys(s.GetFields()) {
		dst, known := targets[key]
		if !known {
			continue
		}
		sv, isString := s.GetFields()[key].GetKind().(*structpb.Value_StringValue)
		if !isString {
			return WorkloadInfo{}, xdsdecode.Errorf(key, "must be a string")
		}
		*dst = sv.StringValue
	}
	if addr != "" {
		ip, err := netip.ParseAddr(addr)
		if err != nil {
			return WorkloadInfo{}, xdsdecode.Errorf("address", "%q: must be an IP address", addr)
		}
		w.Address = ip
	}
	return w, nil
}
