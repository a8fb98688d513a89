package route

import (
	"sort"
	"strings"
)

// Table is a RouteConfiguration compiled for matching: virtual hosts indexed by
// domain following Envoy's search order. Build one per accepted Config with
// Compile and share it between requests; it is immutable.
type Table struct {
	Config *Config
	exact  map[string]*VirtualHost
	suffix []wildcard // "*.foo.com": longest suffix first
	prefix []wildcard // "foo.*": longest prefix first
	any    *VirtualHost
}

type wildcard struct {
	part string // the domain without its "*"
	host *VirtualHost
}

// Compile indexes cfg's virtual hosts by domain. The first virtual host naming
// a domain wins, as Envoy rejects duplicates and the decoder keeps the first.
func Compile(cfg *Config) *Table {
	t := &Table{Config: cfg, exact: make(map[string]*VirtualHost)}
	seen := make(map[string]bool)
	for _, vh := range cfg.VirtualHosts {
		for _, d := range vh.Domains {
			d = strings.ToLower(d)
			if seen[d] {
				continue
			}
			seen[d] = true
			t.addDomain(d, vh)
		}
	}
	sort.SliceStable(t.suffix, func(i, j int) bool { return len(t.suffix[i].part) > len(t.suffix[j].part) })
	sort.SliceStable(t.prefix, func(i, j int) bool { return len(t.prefix[i].part) > len(t.prefix[j].part) })
	return t
}

func (t *Table) addDomain(d string, vh *VirtualHost) {
	switch {
	case d == "*":
		t.any = vh
	case strings.HasPrefix(d, "*"):
		t.suffix = append(t.suffix, wildcard{part: d[1:], host: vh})
	case strings.HasSuffix(d, "*"):
		t.prefix = append(t.prefix, wildcard{part: d[:len(d)-1], host: vh})
	default:
		t.exact[d] = vh
	}
}

// VirtualHost selects the virtual host for a request authority (Host header or
// :authority), compared case-insensitively: an exact domain first, then the
// longest suffix wildcard, then the longest prefix wildcard, then "*".
// A wildcard never matches the empty string. It returns nil when none matches.
func (t *Table) VirtualHost(authority string) *VirtualHost {
	if hasUpper(authority) {
		authority = strings.ToLower(authority)
	}
	if vh, ok := t.exact[authority]; ok {
		return vh
	}
	for _, w := range t.suffix {
		if len(authority) > len(w.part) && strings.HasSuffix(authority, w.part) {
			return w.host
		}
	}
	for _, w := range t.prefix {
		if len(authority) > len(w.part) && strings.HasPrefix(authority, w.part) {
			return w.host
		}
	}
	return t.any
}

// Select finds the virtual host and the first matching route for req. It
// returns a nil route when no virtual host or no route matches.
func (t *Table) Select(req Request) (*VirtualHost, *Route) {
	vh := t.VirtualHost(req.Authority())
	if vh == nil {
		return nil, nil
	}
	return vh, vh.Match(req)
}

// Match returns the first route of vh matching req, or nil.
func (vh *VirtualHost) Match(req Request) *Route {
	for _, r := range vh.Routes {
		if r.Match.Matches(req) {
			return r
		}
	}
	return nil
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}
