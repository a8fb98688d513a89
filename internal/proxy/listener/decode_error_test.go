package listener

import (
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestDecodeErrors(t *testing.T) {
	withHCM := func(f func(h *hcmv3.HttpConnectionManager)) func(*testing.T, *listenerv3.Listener) {
		return func(t *testing.T, l *listenerv3.Listener) {
			h := outboundHCM(t)
			f(h)
			*l = *listenerWith(t, h)
		}
	}
	tests := []struct {
		name   string
		modify func(t *testing.T, l *listenerv3.Listener)
		want   string
	}{
		{
			name: "unsupported network filter",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				l.FilterChains[0].Filters[0].Name = "envoy.filters.network.redis_proxy"
				l.FilterChains[0].Filters[0].ConfigType = &listenerv3.Filter_TypedConfig{TypedConfig: mustAny(t, &structpb.Struct{})}
			},
			want: `filter_chains[0].filters[0]: unsupported filter "envoy.filters.network.redis_proxy" (type google.protobuf.Struct)`,
		},
		{
			name: "listener filters",
			modify: func(_ *testing.T, l *listenerv3.Listener) {
				l.ListenerFilters = []*listenerv3.ListenerFilter{{Name: "tls_inspector"}}
			},
			want: "listener_filters: not supported",
		},
		{
			name: "filter chain match",
			modify: func(_ *testing.T, l *listenerv3.Listener) {
				l.FilterChains[0].FilterChainMatch = &listenerv3.FilterChainMatch{}
			},
			want: "filter_chains[0].filter_chain_match: not supported (one filter chain per listener)",
		},
		{
			name: "tls",
			modify: func(_ *testing.T, l *listenerv3.Listener) {
				l.FilterChains[0].TransportSocket = &corev3.TransportSocket{Name: "tls"}
			},
			want: "filter_chains[0].transport_socket: not supported yet (no TLS until mTLS lands)",
		},
		{
			name:   "two filter chains",
			modify: func(_ *testing.T, l *listenerv3.Listener) { l.FilterChains = append(l.FilterChains, l.FilterChains[0]) },
			want:   "filter_chains: 2 filter chains: want exactly one",
		},
		{
			name:   "hostname address",
			modify: func(_ *testing.T, l *listenerv3.Listener) { l.Address = socket("localhost", 9080) },
			want:   `address.socket_address.address: "localhost": must be an IP address`,
		},
		{
			name:   "unspecified direction",
			modify: func(_ *testing.T, l *listenerv3.Listener) { l.TrafficDirection = corev3.TrafficDirection_UNSPECIFIED },
			want:   "traffic_direction: UNSPECIFIED: must be OUTBOUND or INBOUND",
		},
		{
			name:   "bind_to_port false",
			modify: func(_ *testing.T, l *listenerv3.Listener) { l.BindToPort = wrapperspb.Bool(false) },
			want:   "bind_to_port: false: not supported (every listener binds its own address)",
		},
		{
			name: "workload address not an IP",
			modify: func(_ *testing.T, l *listenerv3.Listener) {
				l.Metadata = &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{IstioMetadataKey: {Fields: map[string]*structpb.Value{
					"address": structpb.NewStringValue("reviews")}}}}
			},
			want: `metadata.filter_metadata["istio"].address: "reviews": must be an IP address`,
		},
		{
			name: "tcp proxy to weighted clusters",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				*l = *listenerWith(t, &tcpproxyv3.TcpProxy{StatPrefix: "s", ClusterSpecifier: &tcpproxyv3.TcpProxy_WeightedClusters{
					WeightedClusters: &tcpproxyv3.TcpProxy_WeightedCluster{Clusters: []*tcpproxyv3.TcpProxy_WeightedCluster_ClusterWeight{{Name: "a", Weight: 1}}}}})
			},
			want: "filter_chains[0].filters[0].typed_config.weighted_clusters: not supported",
		},
		{
			name: "hcm tracing",
			modify: withHCM(func(h *hcmv3.HttpConnectionManager) {
				h.Tracing = &hcmv3.HttpConnectionManager_Tracing{}
			}),
			want: "filter_chains[0].filters[0].typed_config.tracing: not supported",
		},
		{
			name: "rds from a separate source",
			modify: withHCM(func(h *hcmv3.HttpConnectionManager) {
				h.GetRds().ConfigSource = &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_ApiConfigSource{ApiConfigSource: &corev3.ApiConfigSource{}}}
			}),
			want: "filter_chains[0].filters[0].typed_config.rds.config_source: must be {ads: {}}: the proxy fetches everything over its one ADS stream",
		},
		{
			name:   "http3 codec",
			modify: withHCM(func(h *hcmv3.HttpConnectionManager) { h.CodecType = hcmv3.HttpConnectionManager_HTTP3 }),
			want:   "filter_chains[0].filters[0].typed_config.codec_type: HTTP3: not supported (want AUTO, HTTP1 or HTTP2)",
		},
		{
			name: "unknown http filter",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				h := outboundHCM(t)
				h.HttpFilters = append([]*hcmv3.HttpFilter{httpFilter(t, "envoy.filters.http.cors", &structpb.Struct{})}, h.HttpFilters...)
				*l = *listenerWith(t, h)
			},
			want: `filter_chains[0].filters[0].typed_config.http_filters[0]: unsupported HTTP filter "envoy.filters.http.cors" (type google.protobuf.Struct)`,
		},
		{
			name: "router not last",
			modify: withHCM(func(h *hcmv3.HttpConnectionManager) {
				h.HttpFilters[0], h.HttpFilters[1] = h.HttpFilters[1], h.HttpFilters[0]
			}),
			want: "filter_chains[0].filters[0].typed_config.http_filters[0]: router must be the last HTTP filter",
		},
		{
			name:   "no router",
			modify: withHCM(func(h *hcmv3.HttpConnectionManager) { h.HttpFilters = h.HttpFilters[:1] }),
			want:   "filter_chains[0].filters[0].typed_config.http_filters: the last HTTP filter must be envoy.filters.http.router",
		},
		{
			name: "router options",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				h := outboundHCM(t)
				h.HttpFilters[1] = httpFilter(t, "envoy.filters.http.router", &routerv3.Router{SuppressEnvoyHeaders: true})
				*l = *listenerWith(t, h)
			},
			want: "filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.suppress_envoy_headers: not supported",
		},
		{
			name: "bad inline route",
			modify: withHCM(func(h *hcmv3.HttpConnectionManager) {
				h.RouteSpecifier = &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: &routev3.RouteConfiguration{
					Name: "inbound|9080||", VirtualHosts: []*routev3.VirtualHost{{Name: "v", Domains: []string{"*"}, Routes: []*routev3.Route{{
						Match:  &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
						Action: &routev3.Route_Route{Route: &routev3.RouteAction{ClusterSpecifier: &routev3.RouteAction_ClusterHeader{ClusterHeader: "x"}}},
					}}}},
				}}
			}),
			want: "filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].route.cluster_header: not supported",
		},
		{
			name:   "validation",
			modify: func(_ *testing.T, l *listenerv3.Listener) { l.Address = nil },
			want:   "address: want socket_address",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listenerWith(t, outboundHCM(t))
			tt.modify(t, l)
			_, err := Decode(l)
			if want := "listener " + l.GetName() + ": " + tt.want; err == nil || err.Error() != want {
				t.Errorf("Decode error:\n got %v\nwant %s", err, want)
			}
		})
	}
}
