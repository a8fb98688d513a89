package cluster

import (
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestDecodeClusterErrors(t *testing.T) {
	const prefix = "cluster " + edsName + ": "
	tests := []struct {
		name   string
		modify func(t *testing.T, c *clusterv3.Cluster)
		want   string
	}{
		{
			name: "original dst type",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_ORIGINAL_DST}
			},
			want: "type: ORIGINAL_DST: not supported (want STATIC, EDS or STRICT_DNS)",
		},
		{
			name:   "ring hash",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.LbPolicy = clusterv3.Cluster_RING_HASH },
			want:   "lb_policy: RING_HASH: not supported (want ROUND_ROBIN, LEAST_REQUEST or RANDOM)",
		},
		{
			name:   "outlier detection",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.OutlierDetection = &clusterv3.OutlierDetection{} },
			want:   "outlier_detection: not supported",
		},
		{
			name:   "tls",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.TransportSocket = &corev3.TransportSocket{Name: "tls"} },
			want:   "transport_socket: not supported",
		},
		{
			name: "eds from a separate config source",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.EdsClusterConfig.EdsConfig = &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_ApiConfigSource{ApiConfigSource: &corev3.ApiConfigSource{}}}
			},
			want: "eds_cluster_config.eds_config: must be {ads: {}}: the proxy fetches everything over its one ADS stream",
		},
		{
			name: "eds with inline endpoints",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.LoadAssignment = &endpointv3.ClusterLoadAssignment{ClusterName: "x"}
			},
			want: "load_assignment: not allowed with type EDS (endpoints come from EDS)",
		},
		{
			name:   "negative connect timeout fails validation",
			modify: func(_ *testing.T, c *clusterv3.Cluster) { c.ConnectTimeout = durationpb.New(-1) },
			want:   "invalid: invalid Cluster.ConnectTimeout: value must be greater than 0s",
		},
		{
			name: "choice count on round robin",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.LbConfig = &clusterv3.Cluster_LeastRequestLbConfig_{LeastRequestLbConfig: &clusterv3.Cluster_LeastRequestLbConfig{ChoiceCount: wrapperspb.UInt32(3)}}
			},
			want: "least_request_lb_config: only allowed with lb_policy LEAST_REQUEST",
		},
		{
			name: "retry budget",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.CircuitBreakers = &clusterv3.CircuitBreakers{Thresholds: []*clusterv3.CircuitBreakers_Thresholds{
					{RetryBudget: &clusterv3.CircuitBreakers_Thresholds_RetryBudget{}},
				}}
			},
			want: "circuit_breakers.thresholds[0].retry_budget: not supported",
		},
		{
			name: "unknown protocol options",
			modify: func(t *testing.T, c *clusterv3.Cluster) {
				c.TypedExtensionProtocolOptions = map[string]*anypb.Any{"envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions": mustAny(t, &httpv3.HttpProtocolOptions{})}
			},
			want: `typed_extension_protocol_options["envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions"]: unsupported protocol options (want "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")`,
		},
		{
			name: "protocol options of the wrong type",
			modify: func(t *testing.T, c *clusterv3.Cluster) {
				c.TypedExtensionProtocolOptions = map[string]*anypb.Any{HTTPProtocolOptionsKey: mustAny(t, &corev3.Http1ProtocolOptions{})}
			},
			want: `typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]: type "envoy.config.core.v3.Http1ProtocolOptions": want "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"`,
		},
		{
			name: "http3",
			modify: func(t *testing.T, c *clusterv3.Cluster) {
				withHTTPOptions(t, c, &httpv3.HttpProtocolOptions{UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{
					ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
						ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http3ProtocolOptions{Http3ProtocolOptions: &corev3.Http3ProtocolOptions{}},
					}}})
			},
			want: `typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].explicit_http_config: want http_protocol_options or http2_protocol_options`,
		},
		{
			name: "http2 tuning",
			modify: func(t *testing.T, c *clusterv3.Cluster) {
				o := explicitHTTP2()
				o.GetExplicitHttpConfig().GetHttp2ProtocolOptions().MaxConcurrentStreams = wrapperspb.UInt32(10)
				withHTTPOptions(t, c, o)
			},
			want: `typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].explicit_http_config.http2_protocol_options.max_concurrent_streams: not supported`,
		},
		{
			name: "field unknown to this build",
			modify: func(_ *testing.T, c *clusterv3.Cluster) {
				c.ProtoReflect().SetUnknown([]byte{0xf8, 0x0f, 0x01}) // field 255, varint 1
			},
			want: "unknown field number 255: not supported",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := edsCluster()
			tt.modify(t, c)
			_, err := Decode(c)
			if err == nil || err.Error() != prefix+tt.want {
				t.Errorf("Decode error:\n got %v\nwant %s", err, prefix+tt.want)
			}
		})
	}
}

func TestDecodeStaticEndpointErrors(t *testing.T) {
	tests := []struct {
		name string
		lbe  *endpointv3.LbEndpoint
		want string
	}{
		{name: "hostname in a static cluster", lbe: lbEndpoint("ratings", 80),
			want: `load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: "ratings": must be an IP address`},
		{name: "port 0", lbe: lbEndpoint("127.0.0.1", 0),
			want: "load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: 0: must be 1..65535"},
		{name: "health check config", lbe: func() *endpointv3.LbEndpoint {
			e := lbEndpoint("127.0.0.1", 80)
			e.GetEndpoint().HealthCheckConfig = &endpointv3.Endpoint_HealthCheckConfig{PortValue: 81}
			return e
		}(), want: "load_assignment.endpoints[0].lb_endpoints[0].endpoint.health_check_config: not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clusterv3.Cluster{
				Name:                 "s",
				ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STATIC},
				LoadAssignment: &endpointv3.ClusterLoadAssignment{ClusterName: "s", Endpoints: []*endpointv3.LocalityLbEndpoints{
					{LbEndpoints: []*endpointv3.LbEndpoint{tt.lbe}},
				}},
			}
			_, err := Decode(c)
			if want := "cluster s: " + tt.want; err == nil || err.Error() != want {
				t.Errorf("Decode error:\n got %v\nwant %s", err, want)
			}
		})
	}
}
