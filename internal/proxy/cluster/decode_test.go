package cluster

import (
	"net/netip"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

const edsName = "outbound|9080|v1|reviews.default.svc.cluster.local"

func edsCluster() *clusterv3.Cluster {
	return &clusterv3.Cluster{
		Name:                 edsName,
		ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS},
		EdsClusterConfig: &clusterv3.Cluster_EdsClusterConfig{
			EdsConfig: &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}}},
		},
	}
}

// edsDefaults is edsCluster decoded: Envoy's defaults everywhere.
func edsDefaults() *Config {
	return &Config{
		Name: edsName, Discovery: EDS, EDSServiceName: edsName, LB: RoundRobin,
		LeastRequestChoices: 2, ConnectTimeout: 5 * time.Second, Protocol: HTTP1,
		Limits:      Limits{MaxConnections: 1024, MaxPendingRequests: 1024, MaxRequests: 1024, MaxRetries: 3},
		IdleTimeout: time.Hour, DNSRefreshRate: 5 * time.Second,
	}
}

// netipComparer compares netip values, whose fields are unexported.
var netipComparer = cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })

func mustAny(t testing.TB, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func withHTTPOptions(t testing.TB, c *clusterv3.Cluster, o *httpv3.HttpProtocolOptions) {
	c.TypedExtensionProtocolOptions = map[string]*anypb.Any{HTTPProtocolOptionsKey: mustAny(t, o)}
}

func explicitHTTP2() *httpv3.HttpProtocolOptions {
	return &httpv3.HttpProtocolOptions{UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{
		ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
			ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{Http2ProtocolOptions: &corev3.Http2ProtocolOptions{}},
		}}}
}

func TestDecodeEDSCluster(t *testing.T) {
	tests := []struct {
		name   string
		modify func(t *testing.T, c *clusterv3.Cluster)
		want   func(c *Config)
	}{
		{name: "defaults", modify: func(*testing.T, *clusterv3.Cluster) {}, want: func(*Config) {}},
		{
			name:   "service name",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.EdsClusterConfig.ServiceName = "svc" },
			want:   func(c *Config) { c.EDSServiceName = "svc" },
		},
		{
			name:   "connect timeout",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.ConnectTimeout = durationpb.New(10 * time.Second) },
			want:   func(c *Config) { c.ConnectTimeout = 10 * time.Second },
		},
		{
			name:   "least request default choices",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.LbPolicy = clusterv3.Cluster_LEAST_REQUEST },
			want:   func(c *Config) { c.LB = LeastRequest },
		},
		{
			name: "least request choices",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.LbPolicy = clusterv3.Cluster_LEAST_REQUEST
				c.LbConfig = &clusterv3.Cluster_LeastRequestLbConfig_{LeastRequestLbConfig: &clusterv3.Cluster_LeastRequestLbConfig{ChoiceCount: wrapperspb.UInt32(3)}}
			},
			want: func(c *Config) { c.LB, c.LeastRequestChoices = LeastRequest, 3 },
		},
		{
			name:   "random",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.LbPolicy = clusterv3.Cluster_RANDOM },
			want:   func(c *Config) { c.LB = Random },
		},
		{
			name: "circuit breakers override some defaults; HIGH priority unused",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.CircuitBreakers = &clusterv3.CircuitBreakers{Thresholds: []*clusterv3.CircuitBreakers_Thresholds{
					{Priority: corev3.RoutingPriority_HIGH, MaxConnections: wrapperspb.UInt32(7)},
					{MaxConnections: wrapperspb.UInt32(100), MaxRetries: wrapperspb.UInt32(0), TrackRemaining: true},
				}}
			},
			want: func(c *Config) { c.Limits.MaxConnections, c.Limits.MaxRetries = 100, 0 },
		},
		{
			name:   "explicit http2",
			modify: func(t *testing.T, c *clusterv3.Cluster) { withHTTPOptions(t, c, explicitHTTP2()) },
			want:   func(c *Config) { c.Protocol = HTTP2 },
		},
		{
			name: "use downstream protocol",
			modify: func(t *testing.T, c *clusterv3.Cluster) {
				withHTTPOptions(t, c, &httpv3.HttpProtocolOptions{UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_UseDownstreamProtocolConfig{
					UseDownstreamProtocolConfig: &httpv3.HttpProtocolOptions_UseDownstreamHttpConfig{
						HttpProtocolOptions: &corev3.Http1ProtocolOptions{}, Http2ProtocolOptions: &corev3.Http2ProtocolOptions{},
					}}})
			},
			want: func(c *Config) { c.Protocol = UseDownstream },
		},
		{
			name: "idle timeout 0 disables; max requests per connection",
			modify: func(t *testing.T, c *clusterv3.Cluster) {
				o := explicitHTTP2()
				o.CommonHttpProtocolOptions = &corev3.HttpProtocolOptions{IdleTimeout: durationpb.New(0), MaxRequestsPerConnection: wrapperspb.UInt32(10)}
				withHTTPOptions(t, c, o)
			},
			want: func(c *Config) { c.Protocol, c.IdleTimeout, c.MaxRequestsPerConnection = HTTP2, xdsdecode.Disabled, 10 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := edsCluster()
			tt.modify(t, c)
			want := edsDefaults()
			tt.want(want)
			got, err := Decode(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

func lbEndpoint(host string, port uint32) *endpointv3.LbEndpoint {
	return &endpointv3.LbEndpoint{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
		Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
			Address: host, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
		}}},
	}}}
}

func TestDecodeInlineEndpoints(t *testing.T) {
	tests := []struct {
		name string
		typ  clusterv3.Cluster_DiscoveryType
		host string
		want Endpoint
	}{
		{name: "static", typ: clusterv3.Cluster_STATIC, host: "127.0.0.1",
			want: Endpoint{Addr: netip.MustParseAddrPort("127.0.0.1:8080"), Weight: 1, Healthy: true}},
		{name: "strict dns keeps the name", typ: clusterv3.Cluster_STRICT_DNS, host: "ratings.example.com",
			want: Endpoint{Hostname: "ratings.example.com", Port: 8080, Weight: 1, Healthy: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clusterv3.Cluster{
				Name:                 "inbound|8080||",
				ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: tt.typ},
				LoadAssignment: &endpointv3.ClusterLoadAssignment{ClusterName: "inbound|8080||", Endpoints: []*endpointv3.LocalityLbEndpoints{
					{LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint(tt.host, 8080)}},
				}},
			}
			got, err := Decode(c)
			if err != nil {
				t.Fatal(err)
			}
			want := &Endpoints{ClusterName: "inbound|8080||", Localities: []Locality{{Endpoints: []Endpoint{tt.want}}}}
			if diff := cmp.Diff(want, got.Endpoints, netipComparer); diff != "" {
				t.Errorf("Endpoints (-want +got):\n%s", diff)
			}
		})
	}
}
