package listener

import (
	"time"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// Network filter type names the proxy implements.
var (
	hcmType      = string((&hcmv3.HttpConnectionManager{}).ProtoReflect().Descriptor().FullName())
	tcpProxyType = string((&tcpproxyv3.TcpProxy{}).ProtoReflect().Descriptor().FullName())
)

// DefaultTCPIdleTimeout is Envoy's tcp_proxy idle_timeout when unset.
const DefaultTCPIdleTimeout = time.Hour

func decodeChain(fc *listenerv3.FilterChain) (FilterChain, error) {
	if fc.GetFilterChainMatch() != nil {
		return FilterChain{}, xdsdecode.Errorf("filter_chain_match", "not supported (one filter chain per listener)")
	}
	if fc.GetTransportSocket() != nil {
		return FilterChain{}, xdsdecode.Errorf("transport_socket", "not supported yet (no TLS until mTLS lands)")
	}
	if err := xdsdecode.OnlyFields(fc, "filters", "name", "metadata"); err != nil {
		return FilterChain{}, err
	}
	if len(fc.GetFilters()) != 1 {
		return FilterChain{}, xdsdecode.Errorf("filters", "%d filters: want exactly one (http_connection_manager or tcp_proxy)", len(fc.GetFilters()))
	}
	chain, err := decodeNetworkFilter(fc.GetFilters()[0])
	return chain, xdsdecode.At(err, "filters[0]")
}

func decodeNetworkFilter(f *listenerv3.Filter) (FilterChain, error) {
	if err := xdsdecode.OnlyFields(f, "name", "typed_config"); err != nil {
		return FilterChain{}, err
	}
	a := f.GetTypedConfig()
	if a == nil {
		return FilterChain{}, xdsdecode.Errorf("typed_config", "required")
	}
	switch xdsdecode.TypeName(a) {
	case hcmType:
		var hcm hcmv3.HttpConnectionManager
		if err := unpack(a, &hcm); err != nil {
			return FilterChain{}, err
		}
		h, err := decodeHCM(&hcm)
		return FilterChain{HTTP: h}, xdsdecode.At(err, "typed_config")
	case tcpProxyType:
		var tp tcpproxyv3.TcpProxy
		if err := unpack(a, &tp); err != nil {
			return FilterChain{}, err
		}
		t, err := decodeTCPProxy(&tp)
		return FilterChain{TCP: t}, xdsdecode.At(err, "typed_config")
	}
	return FilterChain{}, xdsdecode.Errorf("", "unsupported filter %q (type %s)", f.GetName(), xdsdecode.TypeName(a))
}

func unpack(a *anypb.Any, m proto.Message) error {
	return xdsdecode.At(xdsdecode.Unpack(a, m), "typed_config")
}

func decodeTCPProxy(tp *tcpproxyv3.TcpProxy) (*TCPProxy, error) {
	if err := xdsdecode.OnlyFields(tp, "stat_prefix", "cluster", "idle_timeout"); err != nil {
		return nil, err
	}
	if tp.GetCluster() == "" {
		return nil, xdsdecode.Errorf("cluster", "required (weighted_clusters is not supported)")
	}
	idle, err := xdsdecode.IdleTimeout(tp.GetIdleTimeout(), DefaultTCPIdleTimeout, "idle_timeout")
	if err != nil {
		return nil, err
	}
	return &TCPProxy{StatPrefix: tp.GetStatPrefix(), Cluster: tp.GetCluster(), IdleTimeout: idle}, nil
}
