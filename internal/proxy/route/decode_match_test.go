//lint:file-ignore SA1019 Envoy still accepts the deprecated HeaderMatcher fields (exact_match, safe_regex_match, ...) and older control planes emit them, so the proxy decodes them too.

package route

import (
	"regexp"
	"testing"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func safeRegex(re string) *matcherv3.RegexMatcher { return &matcherv3.RegexMatcher{Regex: re} }

func TestDecodeMatch(t *testing.T) {
	header := func(h *routev3.HeaderMatcher) func(*testing.T, *routev3.Route) {
		return func(_ *testing.T, r *routev3.Route) { r.Match.Headers = []*routev3.HeaderMatcher{h} }
	}
	wantHeader := func(h HeaderMatch) func(*Route) {
		return func(r *Route) { r.Match.Headers = []HeaderMatch{h} }
	}
	runRouteCases(t, []routeCase{
		{
			name: "exact path",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.Match.PathSpecifier = &routev3.RouteMatch_Path{Path: "/ratings"}
			},
			want: func(r *Route) { r.Match.PathKind, r.Match.Path = PathExact, "/ratings" },
		},
		{
			name: "regex path is anchored",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.Match.PathSpecifier = &routev3.RouteMatch_SafeRegex{SafeRegex: safeRegex("/ratings/[0-9]+|/health")}
			},
			want: func(r *Route) {
				r.Match.PathKind, r.Match.Path = PathRegex, "/ratings/[0-9]+|/health"
				r.Match.PathRegex = regexp.MustCompile(`^(?:/ratings/[0-9]+|/health)$`)
			},
		},
		{
			name:   "case insensitive",
			modify: func(_ *testing.T, r *routev3.Route) { r.Match.CaseSensitive = wrapperspb.Bool(false) },
			want:   func(r *Route) { r.Match.CaseSensitive = false },
		},
		{
			name: "string_match exact, lowercased name",
			modify: header(&routev3.HeaderMatcher{Name: "End-User", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
				StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "jason"}}}}),
			want: wantHeader(HeaderMatch{Name: "end-user", Kind: StringExact, Value: "jason"}),
		},
		{
			name: "string_match prefix ignoring case",
			modify: header(&routev3.HeaderMatcher{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
				StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Prefix{Prefix: "Ab"}, IgnoreCase: true}}}),
			want: wantHeader(HeaderMatch{Name: "x", Kind: StringPrefix, Value: "Ab", IgnoreCase: true}),
		},
		{
			name: "string_match regex ignores ignore_case",
			modify: header(&routev3.HeaderMatcher{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
				StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: safeRegex("v[12]")}, IgnoreCase: true}}}),
			want: wantHeader(HeaderMatch{Name: "x", Kind: StringRegex, Value: "v[12]", Regex: regexp.MustCompile(`^(?:v[12])$`)}),
		},
		{
			name: "withoutHeaders: inverted suffix",
			modify: header(&routev3.HeaderMatcher{Name: "x", InvertMatch: true, HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
				StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Suffix{Suffix: "z"}}}}),
			want: wantHeader(HeaderMatch{Name: "x", Kind: StringSuffix, Value: "z", Invert: true}),
		},
		{
			name: "treat missing header as empty",
			modify: header(&routev3.HeaderMatcher{Name: "x", TreatMissingHeaderAsEmpty: true, HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
				StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: ""}}}}),
			want: wantHeader(HeaderMatch{Name: "x", Kind: StringExact, MissingAsEmpty: true}),
		},
		{
			name:   "method via deprecated exact_match",
			modify: header(&routev3.HeaderMatcher{Name: ":method", HeaderMatchSpecifier: &routev3.HeaderMatcher_ExactMatch{ExactMatch: "GET"}}),
			want:   wantHeader(HeaderMatch{Name: ":method", Kind: StringExact, Value: "GET"}),
		},
		{
			name:   "deprecated contains_match",
			modify: header(&routev3.HeaderMatcher{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_ContainsMatch{ContainsMatch: "mid"}}),
			want:   wantHeader(HeaderMatch{Name: "x", Kind: StringContains, Value: "mid"}),
		},
		{
			name:   "present",
			modify: header(&routev3.HeaderMatcher{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: true}}),
			want:   wantHeader(HeaderMatch{Name: "x", Kind: StringPresent}),
		},
		{
			name:   "present_match false means absent",
			modify: header(&routev3.HeaderMatcher{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: false}}),
			want:   wantHeader(HeaderMatch{Name: "x", Kind: StringPresent, Invert: true}),
		},
		{
			name:   "no specifier matches presence",
			modify: header(&routev3.HeaderMatcher{Name: "x"}),
			want:   wantHeader(HeaderMatch{Name: "x", Kind: StringPresent}),
		},
		{
			name: "query exact and presence",
			modify: func(_ *testing.T, r *routev3.Route) {
				r.Match.QueryParameters = []*routev3.QueryParameterMatcher{
					{Name: "Id", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_StringMatch{
						StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "7"}}}},
					{Name: "debug", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_PresentMatch{PresentMatch: true}},
				}
			},
			want: func(r *Route) {
				r.Match.Query = []QueryMatch{{Name: "Id", Kind: StringExact, Value: "7"}, {Name: "debug", Kind: StringPresent}}
			},
		},
	})
}

func TestDecodeMatchErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "bad regex",
			modify: onRoute(func(r *routev3.Route) {
				r.Match.PathSpecifier = &routev3.RouteMatch_SafeRegex{SafeRegex: safeRegex("(")}
			}),
			want: "virtual_hosts[0].routes[0].match.safe_regex.regex: \"(\": error parsing regexp: missing closing ): `(`",
		},
		{
			name: "range match",
			modify: onRoute(func(r *routev3.Route) {
				r.Match.Headers = []*routev3.HeaderMatcher{{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_RangeMatch{}}}
			}),
			want: "virtual_hosts[0].routes[0].match.headers[0].range_match: not supported",
		},
		{
			name: "grpc match",
			modify: onRoute(func(r *routev3.Route) {
				r.Match.Grpc = &routev3.RouteMatch_GrpcRouteMatchOptions{}
			}),
			want: "virtual_hosts[0].routes[0].match.grpc: not supported",
		},
		{
			name: "path separated prefix",
			modify: onRoute(func(r *routev3.Route) {
				r.Match.PathSpecifier = &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: "/api"}
			}),
			want: "virtual_hosts[0].routes[0].match.path_separated_prefix: not supported",
		},
	})
}
