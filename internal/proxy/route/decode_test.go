package route

import (
	"regexp"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

const reviews = "outbound|9080||reviews.default.svc.cluster.local"

// regexpComparer compares compiled regexes by their source.
var regexpComparer = cmp.Comparer(func(a, b *regexp.Regexp) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
})

func mustAny(t testing.TB, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func baseRoute() *routev3.Route {
	return &routev3.Route{
		Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
		Action: &routev3.Route_Route{Route: &routev3.RouteAction{
			ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: reviews},
		}},
	}
}

// baseDecoded is baseRoute decoded, with Envoy's defaults.
func baseDecoded() *Route {
	return &Route{
		Match:   Match{PathKind: PathPrefix, Path: "/", CaseSensitive: true},
		Forward: &Forward{Clusters: []WeightedCluster{{Name: reviews, Weight: 1}}, TotalWeight: 1, Timeout: 15 * time.Second},
	}
}

func configWith(routes ...*routev3.Route) *routev3.RouteConfiguration {
	return &routev3.RouteConfiguration{Name: "9080", VirtualHosts: []*routev3.VirtualHost{
		{Name: "reviews.default.svc.cluster.local:9080", Domains: []string{"*"}, Routes: routes},
	}}
}

func TestDecodeConfig(t *testing.T) {
	rc := &routev3.RouteConfiguration{Name: "9080", VirtualHosts: []*routev3.VirtualHost{
		{
			Name: "reviews:9080", Domains: []string{"Reviews", "reviews:9080", "*.reviews.example"},
			Routes: []*routev3.Route{baseRoute()},
			RequestHeadersToAdd: []*corev3.HeaderValueOption{
				{Header: &corev3.HeaderValue{Key: "X-Mesh", Value: "loom"}},
			},
			ResponseHeadersToRemove: []string{"Server"},
		},
		{Name: "ratings:9080", Domains: []string{"ratings.*"}},
	}}
	want := &Config{Name: "9080", VirtualHosts: []*VirtualHost{
		{
			Name: "reviews:9080", Domains: []string{"reviews", "reviews:9080", "*.reviews.example"},
			Routes:          []*Route{baseDecoded()},
			RequestHeaders:  HeaderMutation{Add: []Header{{Name: "x-mesh", Value: "loom"}}},
			ResponseHeaders: HeaderMutation{Remove: []string{"server"}},
		},
		{Name: "ratings:9080", Domains: []string{"ratings.*"}},
	}}
	got, err := Decode(rc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, regexpComparer); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

// routeCase is one Route field: how to set it and what it decodes to.
type routeCase struct {
	name   string
	modify func(t *testing.T, r *routev3.Route)
	want   func(r *Route)
}

func runRouteCases(t *testing.T, tests []routeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoute()
			tt.modify(t, r)
			want := baseDecoded()
			tt.want(want)
			got, err := Decode(configWith(r))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got.VirtualHosts[0].Routes[0], regexpComparer); diff != "" {
				t.Errorf("route (-want +got):\n%s", diff)
			}
		})
	}
}

// errorCase is an invalid RouteConfiguration and the exact error.
type errorCase struct {
	name   string
	modify func(t *testing.T, rc *routev3.RouteConfiguration)
	want   string
}

func runErrorCases(t *testing.T, tests []errorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := configWith(baseRoute())
			tt.modify(t, rc)
			_, err := Decode(rc)
			if want := "route 9080: " + tt.want; err == nil || err.Error() != want {
				t.Errorf("Decode error:\n got %v\nwant %s", err, want)
			}
		})
	}
}

// onRoute applies f to the first route of a configuration.
func onRoute(f func(r *routev3.Route)) func(*testing.T, *routev3.RouteConfiguration) {
	return func(_ *testing.T, rc *routev3.RouteConfiguration) { f(rc.VirtualHosts[0].Routes[0]) }
}

func action(r *routev3.Route) *routev3.RouteAction { return r.GetRoute() }
