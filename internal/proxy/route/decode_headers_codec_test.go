package route

import (
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestDecodeHeaderMutationCodecFields: mutations of fields the proxy's codec
// manages (hop-by-hop, framing, expect, host) and of malformed names or
// values are NACKed at decode time with the field path, never accepted and
// then ignored by the data path.
func TestDecodeHeaderMutationCodecFields(t *testing.T) {
	add := func(k, v string) []*corev3.HeaderValueOption {
		return []*corev3.HeaderValueOption{headerOption(k, v, corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD)}
	}
	const hop = "may not be modified: hop-by-hop field: it describes one connection, the proxy manages it per hop"
	const framing = "may not be modified: message framing field: the proxy sets it from the body it relays"
	runErrorCases(t, []errorCase{
		{
			name:   "route adds connection",
			modify: onRoute(func(r *routev3.Route) { r.RequestHeadersToAdd = add("Connection", "close") }),
			want:   `virtual_hosts[0].routes[0].request_headers_to_add[0].header.key: "connection": ` + hop,
		},
		{
			name:   "route removes keep-alive from responses",
			modify: onRoute(func(r *routev3.Route) { r.ResponseHeadersToRemove = []string{"x-ok", "Keep-Alive"} }),
			want:   `virtual_hosts[0].routes[0].response_headers_to_remove[1]: "keep-alive": ` + hop,
		},
		{
			name:   "route sets transfer-encoding",
			modify: onRoute(func(r *routev3.Route) { r.ResponseHeadersToAdd = add("transfer-encoding", "gzip") }),
			want:   `virtual_hosts[0].routes[0].response_headers_to_add[0].header.key: "transfer-encoding": ` + framing,
		},
		{
			name: "virtual host sets content-length",
			modify: func(_ *testing.T, rc *routev3.RouteConfiguration) {
				rc.VirtualHosts[0].RequestHeadersToAdd = add("content-length", "0")
			},
			want: `virtual_hosts[0].request_headers_to_add[0].header.key: "content-length": ` + framing,
		},
		{
			name: "weighted cluster sets upgrade",
			modify: onRoute(func(r *routev3.Route) {
				action(r).ClusterSpecifier = &routev3.RouteAction_WeightedClusters{WeightedClusters: &routev3.WeightedCluster{
					Clusters: []*routev3.WeightedCluster_ClusterWeight{{Name: "a", Weight: wrapperspb.UInt32(1), RequestHeadersToAdd: add("upgrade", "h2c")}},
				}}
			}),
			want: `virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].request_headers_to_add[0].header.key: "upgrade": ` + hop,
		},
		{
			name:   "te",
			modify: onRoute(func(r *routev3.Route) { r.RequestHeadersToRemove = []string{"te"} }),
			want:   `virtual_hosts[0].routes[0].request_headers_to_remove[0]: "te": ` + hop,
		},
		{
			name:   "proxy-authorization",
			modify: onRoute(func(r *routev3.Route) { r.RequestHeadersToAdd = add("proxy-authorization", "x") }),
			want:   `virtual_hosts[0].routes[0].request_headers_to_add[0].header.key: "proxy-authorization": ` + hop,
		},
		{
			name:   "expect",
			modify: onRoute(func(r *routev3.Route) { r.RequestHeadersToAdd = add("expect", "100-continue") }),
			want:   `virtual_hosts[0].routes[0].request_headers_to_add[0].header.key: "expect": may not be modified: the proxy answers Expect: 100-continue itself`,
		},
		{
			name: "host, any case (Envoy's rule)",
			modify: func(_ *testing.T, rc *routev3.RouteConfiguration) {
				rc.VirtualHosts[0].ResponseHeadersToRemove = []string{"Host"}
			},
			want: `virtual_hosts[0].response_headers_to_remove[0]: "host": pseudo-headers and host may not be modified`,
		},
		{
			name:   "name that is not a token",
			modify: onRoute(func(r *routev3.Route) { r.RequestHeadersToAdd = add("x y", "1") }),
			want:   `virtual_hosts[0].routes[0].request_headers_to_add[0].header.key: "x y": may not be modified: not a valid HTTP field name`,
		},
		{
			name:   "control character in value",
			modify: onRoute(func(r *routev3.Route) { r.ResponseHeadersToAdd = add("x-bell", "a\x07b") }),
			want:   `virtual_hosts[0].routes[0].response_headers_to_add[0].header.value: "a\ab": control character in field value`,
		},
	})
}
