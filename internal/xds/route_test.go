package xds

import (
	"testing"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	faultcommonv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/common/fault/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"istio.io/api/networking/v1alpha3"
)

func exact(s string) *v1alpha3.StringMatch {
	return &v1alpha3.StringMatch{MatchType: &v1alpha3.StringMatch_Exact{Exact: s}}
}
func prefix(s string) *v1alpha3.StringMatch {
	return &v1alpha3.StringMatch{MatchType: &v1alpha3.StringMatch_Prefix{Prefix: s}}
}
func regex(s string) *v1alpha3.StringMatch {
	return &v1alpha3.StringMatch{MatchType: &v1alpha3.StringMatch_Regex{Regex: s}}
}
func smExact(s string) *matcherv3.StringMatcher {
	return &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: s}}
}
func hdr(name string, sm *matcherv3.StringMatcher, invert bool) *routev3.HeaderMatcher {
	if sm == nil {
		return &routev3.HeaderMatcher{Name: name, InvertMatch: invert, HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: true}}
	}
	return &routev3.HeaderMatcher{Name: name, InvertMatch: invert, HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: sm}}
}
func prefixMatch(p string) *routev3.RouteMatch {
	return &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: p}}
}

func TestTranslateMatch(t *testing.T) {
	tests := []struct {
		name string
		in   *v1alpha3.HTTPMatchRequest
		want *routev3.RouteMatch
	}{
		{"nil matches everything", nil, prefixMatch("/")},
		{"empty matches everything", &v1alpha3.HTTPMatchRequest{}, prefixMatch("/")},
		{"uri exact", &v1alpha3.HTTPMatchRequest{Uri: exact("/login")},
			&routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Path{Path: "/login"}}},
		{"uri prefix", &v1alpha3.HTTPMatchRequest{Uri: prefix("/api")}, prefixMatch("/api")},
		{"uri regex ignoring case", &v1alpha3.HTTPMatchRequest{Uri: regex("/v[0-9]+/.*"), IgnoreUriCase: true},
			&routev3.RouteMatch{
				PathSpecifier: &routev3.RouteMatch_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{Regex: "/v[0-9]+/.*"}},
				CaseSensitive: wrapperspb.Bool(false),
			}},
		{"headers sorted, lowercased; empty match is presence", &v1alpha3.HTTPMatchRequest{Headers: map[string]*v1alpha3.StringMatch{
			"X-Zone": prefix("eu"), "end-user": exact("jason"), "x-debug": {}, "x-re": regex("a|b"), "x-empty-prefix": prefix(""),
		}}, &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}, Headers: []*routev3.HeaderMatcher{
			hdr("x-zone", &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Prefix{Prefix: "eu"}}, false),
			hdr("end-user", smExact("jason"), false),
			hdr("x-debug", nil, false),
			hdr("x-empty-prefix", nil, false),
			hdr("x-re", &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{Regex: "a|b"}}}, false),
		}}},
		{"withoutHeaders invert", &v1alpha3.HTTPMatchRequest{WithoutHeaders: map[string]*v1alpha3.StringMatch{
			"end-user": exact("jason"), "x-canary": {},
		}}, &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}, Headers: []*routev3.HeaderMatcher{
			hdr("end-user", smExact("jason"), true),
			hdr("x-canary", nil, true),
		}}},
		{"method, authority, scheme", &v1alpha3.HTTPMatchRequest{Method: exact("GET"), Authority: prefix("reviews"), Scheme: exact("http")},
			&routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}, Headers: []*routev3.HeaderMatcher{
				hdr(":method", smExact("GET"), false),
				hdr(":authority", &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Prefix{Prefix: "reviews"}}, false),
				hdr(":scheme", smExact("http"), false),
			}}},
		{"query parameters", &v1alpha3.HTTPMatchRequest{QueryParams: map[string]*v1alpha3.StringMatch{"v": exact("2"), "debug": {}}},
			&routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}, QueryParameters: []*routev3.QueryParameterMatcher{
				{Name: "debug", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_PresentMatch{PresentMatch: true}},
				{Name: "v", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_StringMatch{StringMatch: smExact("2")}},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translateMatch(tt.in)
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("translateMatch (-want +got):\n%s", diff)
			}
			if err := got.ValidateAll(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestMatchApplies(t *testing.T) {
	labels := map[string]string{"app": "productpage"}
	tests := []struct {
		name string
		in   *v1alpha3.HTTPMatchRequest
		want bool
	}{
		{"plain", &v1alpha3.HTTPMatchRequest{}, true},
		{"same port", &v1alpha3.HTTPMatchRequest{Port: 9080}, true},
		{"other port", &v1alpha3.HTTPMatchRequest{Port: 9443}, false},
		{"mesh gateway", &v1alpha3.HTTPMatchRequest{Gateways: []string{"mesh"}}, true},
		{"other gateway", &v1alpha3.HTTPMatchRequest{Gateways: []string{"ingress"}}, false},
		{"source namespace", &v1alpha3.HTTPMatchRequest{SourceNamespace: "default"}, true},
		{"other source namespace", &v1alpha3.HTTPMatchRequest{SourceNamespace: "prod"}, false},
		{"source labels", &v1alpha3.HTTPMatchRequest{SourceLabels: map[string]string{"app": "productpage"}}, true},
		{"other source labels", &v1alpha3.HTTPMatchRequest{SourceLabels: map[string]string{"app": "reviews"}}, false},
	}
	for _, tt := range tests {
		if got := matchApplies(tt.in, 9080, "default", labels); got != tt.want {
			t.Errorf("%s: matchApplies = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRetryPolicy(t *testing.T) {
	custom := defaultRetryPolicy()
	custom.NumRetries = uint32Value(3)
	custom.RetryOn = "5xx,connect-failure,retriable-status-codes"
	custom.RetriableStatusCodes = []uint32{503, 504}
	custom.PerTryTimeout = durationpb.New(2 * time.Second)
	custom.RetryBackOff = &routev3.RetryPolicy_RetryBackOff{BaseInterval: durationpb.New(50 * time.Millisecond)}
	codesOnly := defaultRetryPolicy()
	codesOnly.NumRetries = uint32Value(1)
	codesOnly.RetryOn = "retriable-status-codes"
	codesOnly.RetriableStatusCodes = []uint32{429}
	noPrevious := defaultRetryPolicy()
	noPrevious.RetryHostPredicate, noPrevious.HostSelectionRetryMaxAttempts = nil, 0
	tests := []struct {
		name string
		in   *v1alpha3.HTTPRetry
		want *routev3.RetryPolicy
	}{
		{"absent is Istio's default", nil, defaultRetryPolicy()},
		{"zero attempts disable retries", &v1alpha3.HTTPRetry{Attempts: 0, RetryOn: "5xx"}, nil},
		{"attempts keep the default conditions", &v1alpha3.HTTPRetry{Attempts: 5}, func() *routev3.RetryPolicy {
			p := defaultRetryPolicy()
			p.NumRetries = uint32Value(5)
			return p
		}()},
		{"conditions, codes, timeouts", &v1alpha3.HTTPRetry{
			Attempts: 3, RetryOn: "5xx, connect-failure,503,504,retriable-headers",
			PerTryTimeout: durationpb.New(2 * time.Second), Backoff: durationpb.New(50 * time.Millisecond),
		}, custom},
		{"codes alone imply retriable-status-codes", &v1alpha3.HTTPRetry{Attempts: 1, RetryOn: "429"}, codesOnly},
		{"retryIgnorePreviousHosts false", &v1alpha3.HTTPRetry{Attempts: 2, RetryIgnorePreviousHosts: wrapperspb.Bool(false)}, noPrevious},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := retryPolicy(tt.in)
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("retryPolicy (-want +got):\n%s", diff)
			}
			if got != nil {
				if err := got.ValidateAll(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestTranslateFault(t *testing.T) {
	delay := func(numerator uint32) *faultv3.HTTPFault {
		return &faultv3.HTTPFault{Delay: &faultcommonv3.FaultDelay{
			FaultDelaySecifier: &faultcommonv3.FaultDelay_FixedDelay{FixedDelay: durationpb.New(7 * time.Second)},
			Percentage:         &typev3.FractionalPercent{Numerator: numerator, Denominator: typev3.FractionalPercent_MILLION},
		}}
	}
	abort := func(numerator uint32, et any) *faultv3.HTTPFault {
		a := &faultv3.FaultAbort{Percentage: &typev3.FractionalPercent{Numerator: numerator, Denominator: typev3.FractionalPercent_MILLION}}
		switch v := et.(type) {
		case int:
			a.ErrorType = &faultv3.FaultAbort_HttpStatus{HttpStatus: uint32(v)}
		case uint32:
			a.ErrorType = &faultv3.FaultAbort_GrpcStatus{GrpcStatus: v}
		}
		return &faultv3.HTTPFault{Abort: a}
	}
	fixed := &v1alpha3.HTTPFaultInjection_Delay_FixedDelay{FixedDelay: durationpb.New(7 * time.Second)}
	tests := []struct {
		name string
		in   *v1alpha3.HTTPFaultInjection
		want *faultv3.HTTPFault
	}{
		{"none", nil, nil},
		//lint:ignore SA1019 the deprecated integer percent is what Bookinfo's samples use.
		{"delay, deprecated integer percent", &v1alpha3.HTTPFaultInjection{Delay: &v1alpha3.HTTPFaultInjection_Delay{HttpDelayType: fixed, Percent: 100}}, delay(1000000)},
		{"delay, fractional percentage", &v1alpha3.HTTPFaultInjection{Delay: &v1alpha3.HTTPFaultInjection_Delay{
			HttpDelayType: fixed, Percentage: &v1alpha3.Percent{Value: 0.1}}}, delay(1000)},
		{"delay, no percentage", &v1alpha3.HTTPFaultInjection{Delay: &v1alpha3.HTTPFaultInjection_Delay{HttpDelayType: fixed}}, delay(0)},
		{"abort http", &v1alpha3.HTTPFaultInjection{Abort: &v1alpha3.HTTPFaultInjection_Abort{
			ErrorType: &v1alpha3.HTTPFaultInjection_Abort_HttpStatus{HttpStatus: 500}, Percentage: &v1alpha3.Percent{Value: 100}}}, abort(1000000, 500)},
		{"abort grpc by name", &v1alpha3.HTTPFaultInjection{Abort: &v1alpha3.HTTPFaultInjection_Abort{
			ErrorType: &v1alpha3.HTTPFaultInjection_Abort_GrpcStatus{GrpcStatus: "UNAVAILABLE"}, Percentage: &v1alpha3.Percent{Value: 50}}}, abort(500000, uint32(14))},
		{"abort http2 error is left out", &v1alpha3.HTTPFaultInjection{Abort: &v1alpha3.HTTPFaultInjection_Abort{
			ErrorType: &v1alpha3.HTTPFaultInjection_Abort_Http2Error{Http2Error: "X"}, Percentage: &v1alpha3.Percent{Value: 50}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translateFault(tt.in)
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("translateFault (-want +got):\n%s", diff)
			}
			if got != nil {
				if err := got.ValidateAll(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestWeightedDestinations(t *testing.T) {
	d := func(subset string, w int32) *v1alpha3.HTTPRouteDestination {
		return &v1alpha3.HTTPRouteDestination{Destination: &v1alpha3.Destination{Host: "reviews", Subset: subset}, Weight: w}
	}
	tests := []struct {
		name string
		in   []*v1alpha3.HTTPRouteDestination
		want []string
	}{
		{"single without weight", []*v1alpha3.HTTPRouteDestination{d("v1", 0)}, []string{"v1"}},
		{"split", []*v1alpha3.HTTPRouteDestination{d("v1", 80), d("v2", 20)}, []string{"v1", "v2"}},
		{"zero weights dropped", []*v1alpha3.HTTPRouteDestination{d("v1", 0), d("v2", 100), d("v3", 0)}, []string{"v2"}},
		{"all zero keeps the first", []*v1alpha3.HTTPRouteDestination{d("v1", 0), d("v2", 0)}, []string{"v1"}},
	}
	for _, tt := range tests {
		var got []string
		for _, x := range weightedDestinations(tt.in) {
			got = append(got, x.GetDestination().GetSubset())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
