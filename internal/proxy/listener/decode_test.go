package listener

import (
	"net/netip"
	"regexp"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b *regexp.Regexp) bool {
		return a == nil && b == nil || a != nil && b != nil && a.String() == b.String()
	}),
}

func mustAny(t testing.TB, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func socket(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func httpFilter(t testing.TB, name string, m proto.Message) *hcmv3.HttpFilter {
	return &hcmv3.HttpFilter{Name: name, ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: mustAny(t, m)}}
}

// outboundHCM is the HCM docs/xds.md emits on an outbound HTTP listener.
func outboundHCM(t testing.TB) *hcmv3.HttpConnectionManager {
	return &hcmv3.HttpConnectionManager{
		StatPrefix: "outbound_127.0.0.1_9080",
		RouteSpecifier: &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
			ConfigSource:    &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}}, ResourceApiVersion: corev3.ApiVersion_V3},
			RouteConfigName: "9080",
		}},
		HttpFilters: []*hcmv3.HttpFilter{
			httpFilter(t, "envoy.filters.http.fault", &faultv3.HTTPFault{}),
			httpFilter(t, "envoy.filters.http.router", &routerv3.Router{}),
		},
	}
}

func listenerWith(t testing.TB, filter proto.Message) *listenerv3.Listener {
	return &listenerv3.Listener{
		Name:             "127.0.0.1_9080",
		Address:          socket("127.0.0.1", 9080),
		TrafficDirection: corev3.TrafficDirection_OUTBOUND,
		FilterChains: []*listenerv3.FilterChain{{Filters: []*listenerv3.Filter{{
			Name:       "envoy.filters.network.http_connection_manager",
			ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: mustAny(t, filter)},
		}}}},
	}
}

func decodedOutbound() *Config {
	return &Config{
		Name: "127.0.0.1_9080", Address: netip.MustParseAddrPort("127.0.0.1:9080"), Direction: Outbound,
		Chain: FilterChain{HTTP: &HTTPConnectionManager{
			StatPrefix: "outbound_127.0.0.1_9080", Codec: CodecAuto, RouteConfigName: "9080", FaultFilter: true,
			StreamIdleTimeout: 5 * time.Minute, MaxRequestHeadersKB: 60,
		}},
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		modify func(t *testing.T, l *listenerv3.Listener)
		want   func(c *Config)
	}{
		{name: "outbound http as docs/xds.md emits it", modify: func(*testing.T, *listenerv3.Listener) {}, want: func(*Config) {}},
		{
			name: "codec and timeouts",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				h := outboundHCM(t)
				h.CodecType = hcmv3.HttpConnectionManager_HTTP2
				h.StreamIdleTimeout = durationpb.New(0)
				h.RequestTimeout = durationpb.New(30 * time.Second)
				h.MaxRequestHeadersKb = wrapperspb.UInt32(96)
				h.HttpFilters = h.HttpFilters[1:]
				*l = *listenerWith(t, h)
			},
			want: func(c *Config) {
				h := c.Chain.HTTP
				h.Codec, h.StreamIdleTimeout, h.RequestTimeout, h.MaxRequestHeadersKB, h.FaultFilter = CodecHTTP2, xdsdecode.Disabled, 30*time.Second, 96, false
			},
		},
		{
			name: "unknown optional http filter is skipped",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				h := outboundHCM(t)
				opt := httpFilter(t, "envoy.filters.http.cors", &structpb.Struct{})
				opt.IsOptional = true
				h.HttpFilters = append([]*hcmv3.HttpFilter{opt}, h.HttpFilters...)
				*l = *listenerWith(t, h)
			},
			want: func(*Config) {},
		},
		{
			name: "tcp proxy, default idle timeout",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				*l = *listenerWith(t, &tcpproxyv3.TcpProxy{StatPrefix: "outbound|3306||db", ClusterSpecifier: &tcpproxyv3.TcpProxy_Cluster{Cluster: "outbound|3306||db"}})
			},
			want: func(c *Config) {
				c.Chain = FilterChain{TCP: &TCPProxy{StatPrefix: "outbound|3306||db", Cluster: "outbound|3306||db", IdleTimeout: time.Hour}}
			},
		},
		{
			name: "tcp proxy idle timeout 0 disables",
			modify: func(t *testing.T, l *listenerv3.Listener) {
				*l = *listenerWith(t, &tcpproxyv3.TcpProxy{StatPrefix: "s", ClusterSpecifier: &tcpproxyv3.TcpProxy_Cluster{Cluster: "c"}, IdleTimeout: durationpb.New(0)})
			},
			want: func(c *Config) {
				c.Chain = FilterChain{TCP: &TCPProxy{StatPrefix: "s", Cluster: "c", IdleTimeout: xdsdecode.Disabled}}
			},
		},
		{
			name:   "inbound with workload metadata",
			modify: inbound,
			want: func(c *Config) {
				c.Name, c.Address, c.Direction = "127.0.1.3_9080", netip.MustParseAddrPort("127.0.1.3:9080"), Inbound
				c.Chain = FilterChain{HTTP: &HTTPConnectionManager{
					StatPrefix: "inbound_127.0.1.3_9080", InlineRoutes: inboundRoutes(),
					StreamIdleTimeout: 5 * time.Minute, MaxRequestHeadersKB: 60,
				}}
				c.Workload = WorkloadInfo{Address: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1", Namespace: "default",
					Service: "reviews.default.svc.cluster.local", App: "reviews", Version: "v1", ServiceAccount: "bookinfo-reviews"}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listenerWith(t, outboundHCM(t))
			tt.modify(t, l)
			want := decodedOutbound()
			tt.want(want)
			got, err := Decode(l)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

// inbound turns l into the inbound HTTP listener docs/xds.md describes.
func inbound(t *testing.T, l *listenerv3.Listener) {
	h := &hcmv3.HttpConnectionManager{
		StatPrefix: "inbound_127.0.1.3_9080",
		RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: &routev3.RouteConfiguration{
			Name: "inbound|9080||",
			VirtualHosts: []*routev3.VirtualHost{{Name: "inbound|http|9080", Domains: []string{"*"}, Routes: []*routev3.Route{{
				Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
				Action: &routev3.Route_Route{Route: &routev3.RouteAction{
					ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: "inbound|9080||"}, Timeout: durationpb.New(0),
				}},
			}}}},
		}},
		HttpFilters: []*hcmv3.HttpFilter{httpFilter(t, "envoy.filters.http.router", &routerv3.Router{})},
	}
	*l = *listenerWith(t, h)
	l.Name, l.Address, l.TrafficDirection = "127.0.1.3_9080", socket("127.0.1.3", 9080), corev3.TrafficDirection_INBOUND
	md, err := structpb.NewStruct(map[string]any{
		"address": "127.0.1.3", "workload": "reviews-v1", "namespace": "default", "service": "reviews.default.svc.cluster.local",
		"app": "reviews", "version": "v1", "service_account": "bookinfo-reviews", "future_key": 1.0,
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Metadata = &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{IstioMetadataKey: md}}
}

func inboundRoutes() *route.Config {
	return &route.Config{Name: "inbound|9080||", VirtualHosts: []*route.VirtualHost{{
		Name: "inbound|http|9080", Domains: []string{"*"}, Routes: []*route.Route{{
			Match:   route.Match{PathKind: route.PathPrefix, Path: "/", CaseSensitive: true},
			Forward: &route.Forward{Clusters: []route.WeightedCluster{{Name: "inbound|9080||", Weight: 1}}, TotalWeight: 1},
		}},
	}}}
}
