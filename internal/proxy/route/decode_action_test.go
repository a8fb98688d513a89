package route

import (
	"regexp"
	"testing"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	previoushostsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/retry/host/previous_hosts/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestDecodeForward(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name:   "timeout 0 disables the 15s default",
			modify: func(_ *testing.T, r *routev3.Route) { action(r).Timeout = durationpb.New(0) },
			want:   func(r *Route) { r.Forward.Timeout = 0 },
		},
		{
			name:   "timeout",
			modify: func(_ *testing.T, r *routev3.Route) { action(r).Timeout = durationpb.New(2500 * time.Millisecond) },
			want:   func(r *Route) { r.Forward.Timeout = 2500 * time.Millisecond },
		},
		{
			name: "weighted clusters",
			modify: func(_ *testing.T, r *routev3.Route) {
				action(r).ClusterSpecifier = &routev3.RouteAction_WeightedClusters{WeightedClusters: &routev3.WeightedCluster{
					Clusters: []*routev3.WeightedCluster_ClusterWeight{
						{Name: "v1", Weight: wrapperspb.UInt32(80), ResponseHeadersToRemove: []string{"X-Version"}},
						{Name: "v2", Weight: wrapperspb.UInt32(20)},
						{Name: "v3", Weight: wrapperspb.UInt32(0)},
					},
				}}
			},
			want: func(r *Route) {
				r.Forward.Clusters = []WeightedCluster{
					{Name: "v1", Weight: 80, ResponseHeaders: HeaderMutation{Remove: []string{"x-version"}}},
					{Name: "v2", Weight: 20}, {Name: "v3", Weight: 0},
				}
				r.Forward.TotalWeight = 100
			},
		},
		{
			name: "prefix and host rewrite",
			modify: func(_ *testing.T, r *routev3.Route) {
				action(r).PrefixRewrite = "/v2/"
				action(r).HostRewriteSpecifier = hostRewrite("ratings")
			},
			want: func(r *Route) { r.Forward.PrefixRewrite, r.Forward.HostRewrite = "/v2/", "ratings" },
		},
		{
			name: "regex rewrite: substitution in Go syntax",
			modify: func(_ *testing.T, r *routev3.Route) {
				action(r).RegexRewrite = &matcherv3.RegexMatchAndSubstitute{Pattern: safeRegex("^/old/(.*)$"), Substitution: `/new/\1$`}
			},
			want: func(r *Route) {
				r.Forward.RegexRewrite = &RegexRewrite{Pattern: regexp.MustCompile("^/old/(.*)$"), Substitution: "/new/${1}$$"}
			},
		},
		{
			name: "retry policy as docs/xds.md emits it",
			modify: func(t *testing.T, r *routev3.Route) {
				action(r).RetryPolicy = &routev3.RetryPolicy{
					RetryOn:                       "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
					NumRetries:                    wrapperspb.UInt32(2),
					PerTryTimeout:                 durationpb.New(time.Second),
					RetriableStatusCodes:          []uint32{503},
					RetryHostPredicate:            []*routev3.RetryPolicy_RetryHostPredicate{previousHosts(t)},
					HostSelectionRetryMaxAttempts: 5,
				}
			},
			want: func(r *Route) {
				r.Forward.Retry = &RetryPolicy{
					On:         RetryConnectFailure | RetryRefusedStream | RetryUnavailable | RetryCancelled | RetryRetriableStatusCodes,
					NumRetries: 2, PerTryTimeout: time.Second, RetriableStatusCodes: []uint32{503},
					OtherHosts: true, HostSelectionMaxAttempts: 5,
					BackoffBase: 25 * time.Millisecond, BackoffMax: 250 * time.Millisecond,
				}
			},
		},
		{
			name: "retry defaults: one retry; max backoff 10x a given base",
			modify: func(_ *testing.T, r *routev3.Route) {
				action(r).RetryPolicy = &routev3.RetryPolicy{RetryOn: "5xx, gateway-error,", RetryBackOff: &routev3.RetryPolicy_RetryBackOff{BaseInterval: durationpb.New(100 * time.Millisecond)}}
			},
			want: func(r *Route) {
				r.Forward.Retry = &RetryPolicy{On: Retry5xx | RetryGatewayError, NumRetries: 1, BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}
			},
		},
	})
}

func hostRewrite(h string) *routev3.RouteAction_HostRewriteLiteral {
	return &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: h}
}

func previousHosts(t *testing.T) *routev3.RetryPolicy_RetryHostPredicate {
	return &routev3.RetryPolicy_RetryHostPredicate{
		Name:       PreviousHostsPredicate,
		ConfigType: &routev3.RetryPolicy_RetryHostPredicate_TypedConfig{TypedConfig: mustAny(t, &previoushostsv3.PreviousHostsPredicate{})},
	}
}

func TestDecodeRedirectAndDirect(t *testing.T) {
	runRouteCases(t, []routeCase{
		{
			name: "https redirect",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.Action = &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{
					SchemeRewriteSpecifier: &routev3.RedirectAction_HttpsRedirect{HttpsRedirect: true},
					HostRedirect:           "example.com", PortRedirect: 8443,
					PathRewriteSpecifier: &routev3.RedirectAction_PathRedirect{PathRedirect: "/new"},
					ResponseCode:         routev3.RedirectAction_PERMANENT_REDIRECT, StripQuery: true,
				}}
			},
			want: func(r *Route) {
				r.Forward = nil
				r.Redirect = &Redirect{Scheme: "https", Host: "example.com", Port: 8443, Path: "/new", StripQuery: true, Code: 308}
			},
		},
		{
			name: "prefix redirect defaults to 301",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.Action = &routev3.Route_Redirect{Redirect: &routev3.RedirectAction{
					PathRewriteSpecifier: &routev3.RedirectAction_PrefixRewrite{PrefixRewrite: "/v2"},
				}}
			},
			want: func(r *Route) { r.Forward, r.Redirect = nil, &Redirect{PrefixRewrite: "/v2", Code: 301} },
		},
		{
			name: "direct response",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.Action = &routev3.Route_DirectResponse{DirectResponse: &routev3.DirectResponseAction{Status: 418, Body: inlineString("teapot")}}
			},
			want: func(r *Route) { r.Forward, r.Direct = nil, &DirectResponse{Status: 418, Body: []byte("teapot")} },
		},
	})
}
