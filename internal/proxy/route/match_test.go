package route

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type fakeRequest struct {
	method, authority, path, scheme string
	headers                         map[string]string
}

func (r fakeRequest) Method() string    { return r.method }
func (r fakeRequest) Authority() string { return r.authority }
func (r fakeRequest) Path() string      { return r.path }
func (r fakeRequest) Scheme() string    { return r.scheme }
func (r fakeRequest) Header(name string) (string, bool) {
	v, ok := r.headers[name]
	return v, ok
}

func req(authority, path string, headers ...string) fakeRequest {
	h := make(map[string]string)
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return fakeRequest{method: "GET", authority: authority, path: path, scheme: "http", headers: h}
}

func TestVirtualHostSelection(t *testing.T) {
	vhs := []*VirtualHost{
		{Name: "exact", Domains: []string{"reviews", "reviews:9080", "Reviews.default"}},
		{Name: "suffix-short", Domains: []string{"*.com"}},
		{Name: "suffix-long", Domains: []string{"*.foo.com", "*-bar.foo.com"}},
		{Name: "prefix", Domains: []string{"api.*", "api.v2.*"}},
		{Name: "any", Domains: []string{"*"}},
	}
	table := Compile(&Config{Name: "80", VirtualHosts: vhs})
	tests := []struct{ authority, want string }{
		{"reviews", "exact"},
		{"REVIEWS:9080", "exact"},
		{"reviews.default", "exact"},
		{"reviews:9081", "any"},
		{"x.foo.com", "suffix-long"},
		{"baz-bar.foo.com", "suffix-long"},
		{".foo.com", "suffix-short"}, // "*.foo.com" needs a non-empty match; "*.com" takes it
		{"example.com", "suffix-short"},
		{"api.v2.x", "prefix"},
		{"api.", "any"},
		{"", "any"},
	}
	for _, tt := range tests {
		t.Run(tt.authority, func(t *testing.T) {
			vh := table.VirtualHost(tt.authority)
			if vh == nil || vh.Name != tt.want {
				t.Fatalf("VirtualHost(%q) = %v, want %s", tt.authority, vh, tt.want)
			}
		})
	}
	noDefault := Compile(&Config{VirtualHosts: vhs[:1]})
	if vh := noDefault.VirtualHost("ratings"); vh != nil {
		t.Errorf("VirtualHost(ratings) without '*' = %s, want nil", vh.Name)
	}
}

func TestRouteMatch(t *testing.T) {
	re := func(s string) *regexp.Regexp { return regexp.MustCompile("^(?:" + s + ")$") }
	tests := []struct {
		name  string
		match Match
		req   fakeRequest
		want  bool
	}{
		{"prefix root", Match{Path: "/", CaseSensitive: true}, req("a", "/x?y=1"), true},
		{"prefix", Match{Path: "/api", CaseSensitive: true}, req("a", "/api/v1"), true},
		{"prefix case", Match{Path: "/api", CaseSensitive: true}, req("a", "/API/v1"), false},
		{"prefix ignore case", Match{Path: "/api"}, req("a", "/API/v1"), true},
		{"prefix longer than path", Match{Path: "/api/v1"}, req("a", "/api"), false},
		{"exact", Match{PathKind: PathExact, Path: "/login", CaseSensitive: true}, req("a", "/login?next=/"), true},
		{"exact not prefix", Match{PathKind: PathExact, Path: "/login", CaseSensitive: true}, req("a", "/login/x"), false},
		{"exact ignore case", Match{PathKind: PathExact, Path: "/login"}, req("a", "/LOGIN"), true},
		{"regex", Match{PathKind: PathRegex, PathRegex: re(`/reviews/\d+`)}, req("a", "/reviews/12?x"), true},
		{"regex whole path", Match{PathKind: PathRegex, PathRegex: re(`/reviews/\d+`)}, req("a", "/reviews/12/x"), false},
		{"header exact", Match{CaseSensitive: true, Headers: []HeaderMatch{{Name: "end-user", Value: "jason"}}}, req("a", "/", "end-user", "jason"), true},
		{"header exact differs", Match{CaseSensitive: true, Headers: []HeaderMatch{{Name: "end-user", Value: "jason"}}}, req("a", "/", "end-user", "jasonx"), false},
		{"header absent", Match{Headers: []HeaderMatch{{Name: "end-user", Value: "jason"}}}, req("a", "/"), false},
		{"header ignore case", Match{Headers: []HeaderMatch{{Name: "end-user", Value: "JASON", IgnoreCase: true}}}, req("a", "/", "end-user", "jason"), true},
		{"header prefix", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringPrefix, Value: "ab"}}}, req("a", "/", "x", "abc"), true},
		{"header suffix", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringSuffix, Value: "bc"}}}, req("a", "/", "x", "abc"), true},
		{"header contains", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringContains, Value: "B", IgnoreCase: true}}}, req("a", "/", "x", "abc"), true},
		{"header regex", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringRegex, Regex: re(`a.c`)}}}, req("a", "/", "x", "abc"), true},
		{"header present", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringPresent}}}, req("a", "/", "x", ""), true},
		{"header present absent", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringPresent}}}, req("a", "/"), false},
		{"without header, absent (Envoy: no value to compare)", Match{Headers: []HeaderMatch{{Name: "end-user", Value: "jason", Invert: true}}}, req("a", "/"), false},
		{"without header, absent, missing as empty", Match{Headers: []HeaderMatch{{Name: "end-user", Value: "jason", Invert: true, MissingAsEmpty: true}}}, req("a", "/"), true},
		{"exact empty, absent, missing as empty", Match{Headers: []HeaderMatch{{Name: "x", Value: "", MissingAsEmpty: true}}}, req("a", "/"), true},
		{"exact empty, absent", Match{Headers: []HeaderMatch{{Name: "x", Value: ""}}}, req("a", "/"), false},
		{"present, absent, missing as empty", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringPresent, MissingAsEmpty: true}}}, req("a", "/"), false},
		{"without header, other value", Match{Headers: []HeaderMatch{{Name: "end-user", Value: "jason", Invert: true}}}, req("a", "/", "end-user", "bob"), true},
		{"without header, same value", Match{Headers: []HeaderMatch{{Name: "end-user", Value: "jason", Invert: true}}}, req("a", "/", "end-user", "jason"), false},
		{"not present", Match{Headers: []HeaderMatch{{Name: "x", Kind: StringPresent, Invert: true}}}, req("a", "/"), true},
		{":method", Match{Headers: []HeaderMatch{{Name: ":method", Value: "GET"}}}, req("a", "/"), true},
		{":method differs", Match{Headers: []HeaderMatch{{Name: ":method", Value: "POST"}}}, req("a", "/"), false},
		{":authority", Match{Headers: []HeaderMatch{{Name: ":authority", Kind: StringPrefix, Value: "rev"}}}, req("reviews:9080", "/"), true},
		{":scheme", Match{Headers: []HeaderMatch{{Name: ":scheme", Value: "http"}}}, req("a", "/"), true},
		{"unknown pseudo", Match{Headers: []HeaderMatch{{Name: ":protocol", Kind: StringPresent}}}, req("a", "/"), false},
		{"all headers", Match{Headers: []HeaderMatch{{Name: "x", Value: "1"}, {Name: "y", Value: "2"}}}, req("a", "/", "x", "1"), false},
		{"query exact", Match{Query: []QueryMatch{{Name: "v", Value: "2"}}}, req("a", "/p?a=1&v=2"), true},
		{"query first wins", Match{Query: []QueryMatch{{Name: "v", Value: "2"}}}, req("a", "/p?v=1&v=2"), false},
		{"query absent", Match{Query: []QueryMatch{{Name: "v", Value: "2"}}}, req("a", "/p"), false},
		{"query present", Match{Query: []QueryMatch{{Name: "debug", Kind: StringPresent}}}, req("a", "/p?debug"), true},
		{"query regex", Match{Query: []QueryMatch{{Name: "id", Kind: StringRegex, Regex: re(`\d+`)}}}, req("a", "/p?id=42#frag"), true},
		{"query prefix", Match{Query: []QueryMatch{{Name: "id", Kind: StringPrefix, Value: "4"}}}, req("a", "/p?id=42"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.match.Matches(tt.req); got != tt.want {
				t.Errorf("Matches(%+v) = %v, want %v", tt.req, got, tt.want)
			}
		})
	}
}

func TestFirstMatchingRouteWins(t *testing.T) {
	vh := &VirtualHost{Domains: []string{"*"}, Routes: []*Route{
		{Name: "jason", Match: Match{Path: "/", CaseSensitive: true, Headers: []HeaderMatch{{Name: "end-user", Value: "jason"}}}},
		{Name: "api", Match: Match{Path: "/api", CaseSensitive: true}},
		{Name: "default", Match: Match{Path: "/", CaseSensitive: true}},
	}}
	table := Compile(&Config{VirtualHosts: []*VirtualHost{vh}})
	var got []string
	for _, r := range []fakeRequest{req("x", "/api", "end-user", "jason"), req("x", "/api/1"), req("x", "/other")} {
		_, rt := table.Select(r)
		got = append(got, rt.Name)
	}
	if diff := cmp.Diff([]string{"jason", "api", "default"}, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	empty := Compile(&Config{VirtualHosts: []*VirtualHost{{Domains: []string{"*"}, Routes: vh.Routes[1:2]}}})
	if _, rt := empty.Select(req("x", "/none")); rt != nil {
		t.Errorf("Select(/none) = %s, want no route", rt.Name)
	}
}

func TestPickCluster(t *testing.T) {
	f := &Forward{TotalWeight: 100, Clusters: []WeightedCluster{{Name: "v1", Weight: 80}, {Name: "v2", Weight: 20}, {Name: "v3", Weight: 0}}}
	counts := map[string]int{}
	for r := uint32(0); r < 1000; r++ {
		counts[f.PickCluster(r).Name]++
	}
	if diff := cmp.Diff(map[string]int{"v1": 800, "v2": 200}, counts); diff != "" {
		t.Errorf("picks over 1000 values (-want +got):\n%s", diff)
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		name string
		f    Forward
		m    Match
		path string
		want string
	}{
		{"prefix", Forward{PrefixRewrite: "/v2/"}, Match{Path: "/api/"}, "/api/users?x=1", "/v2/users?x=1"},
		{"prefix to root", Forward{PrefixRewrite: "/"}, Match{Path: "/api/"}, "/api/users", "/users"},
		{"prefix no slash", Forward{PrefixRewrite: "/new"}, Match{Path: "/old"}, "/old/x", "/new/x"},
		{"exact via regex", Forward{RegexRewrite: &RegexRewrite{Pattern: regexp.MustCompile(`^/login$`), Substitution: "/signin"}}, Match{PathKind: PathExact, Path: "/login"}, "/login?a=b", "/signin?a=b"},
		{"regex groups", Forward{RegexRewrite: &RegexRewrite{Pattern: regexp.MustCompile(`^/u/(\d+)$`), Substitution: "/users/${1}"}}, Match{PathKind: PathRegex}, "/u/7", "/users/7"},
		{"none", Forward{}, Match{Path: "/"}, "/a", "/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := tt.f.RewritePath(&tt.m, tt.path)
			if got != tt.want {
				t.Errorf("RewritePath(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestRedirectLocation(t *testing.T) {
	tests := []struct {
		name string
		r    Redirect
		want string
	}{
		{"host", Redirect{Host: "new.example"}, "http://new.example/old/page?q=1"},
		{"scheme https drops port 443", Redirect{Scheme: "https", Port: 443}, "https://bookinfo/old/page?q=1"},
		{"keeps port", Redirect{}, "http://bookinfo:8080/old/page?q=1"},
		{"path keeps query", Redirect{Path: "/new"}, "http://bookinfo:8080/new?q=1"},
		{"prefix strip query", Redirect{PrefixRewrite: "/fresh/", StripQuery: true}, "http://bookinfo:8080/fresh/page"},
	}
	m := &Match{Path: "/old/"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Location(m, "http", "bookinfo:8080", "/old/page?q=1"); got != tt.want {
				t.Errorf("Location = %q, want %q", got, tt.want)
			}
		})
	}
	if code := (&Redirect{}).RedirectCode(); code != 301 {
		t.Errorf("default code = %d, want 301", code)
	}
}

func BenchmarkSelect(b *testing.B) {
	var vhs []*VirtualHost
	for _, svc := range []string{"details", "ratings", "reviews", "productpage"} {
		vhs = append(vhs, &VirtualHost{Name: svc, Domains: []string{svc, svc + ":9080", svc + ".default.svc.cluster.local"},
			Routes: []*Route{
				{Match: Match{Path: "/", CaseSensitive: true, Headers: []HeaderMatch{{Name: "end-user", Value: "jason"}}}},
				{Match: Match{Path: "/", CaseSensitive: true}},
			}})
	}
	table := Compile(&Config{VirtualHosts: vhs})
	r := req("reviews:9080", "/reviews/0?x=1", "user-agent", strings.Repeat("x", 20))
	b.ReportAllocs()
	for b.Loop() {
		if _, rt := table.Select(&r); rt == nil {
			b.Fatal("no route")
		}
	}
}
