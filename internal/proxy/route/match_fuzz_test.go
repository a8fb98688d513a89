package route

import (
	"regexp"
	"testing"
)

// FuzzMatch feeds arbitrary request fields (outside input) to matching and
// redirects: they must never panic, and Select must agree with Locate.
func FuzzMatch(f *testing.F) {
	f.Add("reviews:9080", "/api/v1?x=1&y", "GET", "jason")
	f.Add("", "", "", "")
	f.Add("API.", "?", "POST", "%")
	table := Compile(&Config{VirtualHosts: []*VirtualHost{
		{Name: "a", Domains: []string{"reviews", "*.example.com", "api.*"}, Routes: []*Route{
			{Match: Match{Path: "/api/", Headers: []HeaderMatch{{Name: "end-user", Kind: StringPrefix, Value: "ja", IgnoreCase: true}}}},
			{Match: Match{PathKind: PathRegex, PathRegex: regexp.MustCompile(`^/(?:v\d+)$`), Query: []QueryMatch{{Name: "x", Kind: StringPresent}}}},
			{Match: Match{PathKind: PathExact, Path: "/login", CaseSensitive: true, Headers: []HeaderMatch{{Name: ":method", Value: "POST", Invert: true}}}},
		}},
		{Name: "b", Domains: []string{"*"}, Routes: []*Route{{Match: Match{Path: "/", CaseSensitive: true}}}},
	}})
	redirect := &Redirect{PrefixRewrite: "/new/", StripQuery: true}
	fwd := &Forward{PrefixRewrite: "/x", RegexRewrite: &RegexRewrite{Pattern: regexp.MustCompile(`a+`), Substitution: "b"}}
	f.Fuzz(func(t *testing.T, authority, path, method, user string) {
		r := fakeRequest{method: method, authority: authority, path: path, scheme: "http", headers: map[string]string{"end-user": user}}
		vh, rt := table.Select(&r)
		vi, ri := table.Locate(&r)
		if (vh == nil) != (vi < 0) || (rt == nil) != (ri < 0) {
			t.Fatalf("Select and Locate disagree: %v %v / %d %d", vh, rt, vi, ri)
		}
		if rt != nil {
			redirect.Location(&rt.Match, "http", authority, path)
			fwd.RewritePath(&rt.Match, path)
		}
	})
}
