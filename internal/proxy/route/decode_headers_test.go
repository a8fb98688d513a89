package route

import (
	"strings"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	commonfaultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/common/fault/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func inlineString(s string) *corev3.DataSource {
	return &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: s}}
}

func headerOption(k, v string, appendAction corev3.HeaderValueOption_HeaderAppendAction) *corev3.HeaderValueOption {
	return &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: k, Value: v}, AppendAction: appendAction}
}

func TestDecodeHeaderMutation(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name: "add, overwrite, deprecated append, empty values dropped unless kept",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.RequestHeadersToAdd = []*corev3.HeaderValueOption{
					headerOption("X-Add", "1", corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD),
					headerOption("X-Set", "2", corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD),
					{Header: &corev3.HeaderValue{Key: "x-legacy", Value: "3"}, Append: wrapperspb.Bool(false)},
					headerOption("x-empty", "", corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD),
					{Header: &corev3.HeaderValue{Key: "x-kept", Value: ""}, KeepEmptyValue: true},
					headerOption("x-percent", "100%%", corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD),
				}
				r.RequestHeadersToRemove = []string{"X-Drop"}
				r.ResponseHeadersToAdd = []*corev3.HeaderValueOption{{Header: &corev3.HeaderValue{Key: "x-raw", RawValue: []byte("r")}}}
			},
			want: func(r *Route) {
				r.RequestHeaders = HeaderMutation{
					Set:    []Header{{"x-set", "2"}, {"x-legacy", "3"}},
					Add:    []Header{{"x-add", "1"}, {"x-kept", ""}, {"x-percent", "100%"}},
					Remove: []string{"x-drop"},
				}
				r.ResponseHeaders = HeaderMutation{Add: []Header{{"x-raw", "r"}}}
			},
		},
		{
			name: "fault delay and abort",
			modify: func(t *testing.T, r *routev3.Route) {
				r.TypedPerFilterConfig = map[string]*anypb.Any{FaultFilterName: mustAny(t, &faultv3.HTTPFault{
					Delay: &commonfaultv3.FaultDelay{
						FaultDelaySecifier: &commonfaultv3.FaultDelay_FixedDelay{FixedDelay: durationpb.New(7 * time.Second)},
						Percentage:         &typev3.FractionalPercent{Numerator: 50, Denominator: typev3.FractionalPercent_HUNDRED},
					},
					Abort: &faultv3.FaultAbort{
						ErrorType:  &faultv3.FaultAbort_HttpStatus{HttpStatus: 503},
						Percentage: &typev3.FractionalPercent{Numerator: 1500, Denominator: typev3.FractionalPercent_TEN_THOUSAND},
					},
				})}
			},
			want: func(r *Route) {
				r.Fault = &Fault{DelayMillionths: 500_000, Delay: 7 * time.Second, AbortMillionths: 150_000, AbortStatus: 503}
			},
		},
		{
			name: "grpc abort, percentage capped, unset delay percentage is 0",
			modify: func(t *testing.T, r *routev3.Route) {
				r.TypedPerFilterConfig = map[string]*anypb.Any{FaultFilterName: mustAny(t, &faultv3.HTTPFault{
					Delay: &commonfaultv3.FaultDelay{FaultDelaySecifier: &commonfaultv3.FaultDelay_FixedDelay{FixedDelay: durationpb.New(time.Second)}},
					Abort: &faultv3.FaultAbort{
						ErrorType:  &faultv3.FaultAbort_GrpcStatus{GrpcStatus: 14},
						Percentage: &typev3.FractionalPercent{Numerator: 200},
					},
				})}
			},
			want: func(r *Route) {
				r.Fault = &Fault{Delay: time.Second, AbortMillionths: 1_000_000, AbortGRPC: 14, AbortGRPCSet: true}
			},
		},
	})
}

func TestDecodeRouteErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name:   "duplicate domain",
			modify: func(_ *testing.T, rc *routev3.RouteConfiguration) { rc.VirtualHosts[0].Domains = []string{"a", "A"} },
			want:   `virtual_hosts[0].domains[1]: "a": already a domain of virtual host "reviews.default.svc.cluster.local:9080" (domains must be unique in a route configuration)`,
		},
		{
			name:   "wildcard in the middle",
			modify: func(_ *testing.T, rc *routev3.RouteConfiguration) { rc.VirtualHosts[0].Domains = []string{"a.*.com"} },
			want:   `virtual_hosts[0].domains[0]: "a.*.com": a wildcard is only allowed as the whole domain, its first or its last character`,
		},
		{
			name: "cluster header",
			modify: onRoute(func(r *routev3.Route) {
				action(r).ClusterSpecifier = &routev3.RouteAction_ClusterHeader{ClusterHeader: "x-cluster"}
			}),
			want: "virtual_hosts[0].routes[0].route.cluster_header: not supported",
		},
		{
			name: "hash policy",
			modify: onRoute(func(r *routev3.Route) {
				action(r).HashPolicy = []*routev3.RouteAction_HashPolicy{{PolicySpecifier: &routev3.RouteAction_HashPolicy_Header_{
					Header: &routev3.RouteAction_HashPolicy_Header{HeaderName: "x-user"}}}}
			}),
			want: "virtual_hosts[0].routes[0].route.hash_policy: not supported",
		},
		{
			name: "weights add up to 0",
			modify: onRoute(func(r *routev3.Route) {
				action(r).ClusterSpecifier = &routev3.RouteAction_WeightedClusters{WeightedClusters: &routev3.WeightedCluster{
					Clusters: []*routev3.WeightedCluster_ClusterWeight{{Name: "a", Weight: wrapperspb.UInt32(0)}},
				}}
			}),
			want: "virtual_hosts[0].routes[0].route.weighted_clusters.clusters: sum of weights is 0: must be 1..4294967295",
		},
		{
			name:   "unknown retry condition",
			modify: onRoute(func(r *routev3.Route) { action(r).RetryPolicy = &routev3.RetryPolicy{RetryOn: "5xx,sometimes"} }),
			want:   `virtual_hosts[0].routes[0].route.retry_policy.retry_on: "sometimes": unknown or unsupported retry condition`,
		},
		{
			name: "retry max interval below base",
			modify: onRoute(func(r *routev3.Route) {
				action(r).RetryPolicy = &routev3.RetryPolicy{RetryBackOff: &routev3.RetryPolicy_RetryBackOff{
					BaseInterval: durationpb.New(time.Second), MaxInterval: durationpb.New(time.Millisecond)}}
			}),
			want: "virtual_hosts[0].routes[0].route.retry_policy.retry_back_off.max_interval: 1ms: must not be less than base_interval 1s",
		},
		{
			name: "other retry host predicate",
			modify: onRoute(func(r *routev3.Route) {
				action(r).RetryPolicy = &routev3.RetryPolicy{RetryHostPredicate: []*routev3.RetryPolicy_RetryHostPredicate{{Name: "envoy.retry_host_predicates.omit_canary_hosts"}}}
			}),
			want: `virtual_hosts[0].routes[0].route.retry_policy.retry_host_predicate[0]: unsupported retry host predicate "envoy.retry_host_predicates.omit_canary_hosts"`,
		},
		{
			name:   "pseudo-header mutation",
			modify: onRoute(func(r *routev3.Route) { r.RequestHeadersToRemove = []string{":path"} }),
			want:   `virtual_hosts[0].routes[0].request_headers_to_remove[0]: ":path": pseudo-headers and host may not be modified`,
		},
		{
			name: "header formatter",
			modify: onRoute(func(r *routev3.Route) {
				r.ResponseHeadersToAdd = []*corev3.HeaderValueOption{headerOption("x-ip", "%DOWNSTREAM_REMOTE_ADDRESS%", 0)}
			}),
			want: `virtual_hosts[0].routes[0].response_headers_to_add[0].header.value: "%DOWNSTREAM_REMOTE_ADDRESS%": header value formatters (%...%) are not supported; write a literal % as %%`,
		},
		{
			name: "add if absent",
			modify: onRoute(func(r *routev3.Route) {
				r.RequestHeadersToAdd = []*corev3.HeaderValueOption{headerOption("x", "1", corev3.HeaderValueOption_ADD_IF_ABSENT)}
			}),
			want: "virtual_hosts[0].routes[0].request_headers_to_add[0].append_action: ADD_IF_ABSENT: not supported",
		},
		{
			name: "per-filter config for another filter",
			modify: func(t *testing.T, rc *routev3.RouteConfiguration) {
				rc.VirtualHosts[0].Routes[0].TypedPerFilterConfig = map[string]*anypb.Any{"envoy.filters.http.cors": mustAny(t, &faultv3.HTTPFault{})}
			},
			want: `virtual_hosts[0].routes[0].typed_per_filter_config["envoy.filters.http.cors"]: unsupported filter (only "envoy.filters.http.fault")`,
		},
		{
			name: "fault header abort",
			modify: func(t *testing.T, rc *routev3.RouteConfiguration) {
				rc.VirtualHosts[0].Routes[0].TypedPerFilterConfig = map[string]*anypb.Any{FaultFilterName: mustAny(t, &faultv3.HTTPFault{
					Abort: &faultv3.FaultAbort{ErrorType: &faultv3.FaultAbort_HeaderAbort_{HeaderAbort: &faultv3.FaultAbort_HeaderAbort{}}},
				})}
			},
			want: `virtual_hosts[0].routes[0].typed_per_filter_config["envoy.filters.http.fault"].abort.header_abort: not supported`,
		},
		{
			name: "direct response body too large",
			modify: onRoute(func(r *routev3.Route) {
				r.Action = &routev3.Route_DirectResponse{DirectResponse: &routev3.DirectResponseAction{Status: 200, Body: inlineString(strings.Repeat("x", 5000))}}
			}),
			want: "virtual_hosts[0].routes[0].direct_response.body: 5000 bytes: larger than 4096",
		},
		{
			name: "direct response from a file",
			modify: onRoute(func(r *routev3.Route) {
				r.Action = &routev3.Route_DirectResponse{DirectResponse: &routev3.DirectResponseAction{Status: 200,
					Body: &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: "/etc/passwd"}}}}
			}),
			want: "virtual_hosts[0].routes[0].direct_response.body.filename: not supported",
		},
		{
			name: "vhost-level retry policy",
			modify: func(_ *testing.T, rc *routev3.RouteConfiguration) {
				rc.VirtualHosts[0].RetryPolicy = &routev3.RetryPolicy{}
			},
			want: "virtual_hosts[0].retry_policy: not supported",
		},
		{
			name:   "validation",
			modify: func(_ *testing.T, rc *routev3.RouteConfiguration) { rc.VirtualHosts[0].Domains = nil },
			want:   "invalid: invalid RouteConfiguration.VirtualHosts[0]: embedded message failed validation | caused by: invalid VirtualHost.Domains: value must contain at least 1 item(s)",
		},
	})
}
