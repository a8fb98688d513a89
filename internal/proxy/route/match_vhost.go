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
	exact  map[string]int // virtual host index by exact domain
	suffix []wildcard     // "*.foo.com": longest suffix first
	prefix []wildcard     // "foo.*": longest prefix first
	any    int            // index of the "*" virtual host, or -1
}

type wildcard struct {
	part string // the domain without its "*"
	host int
}

// Compile indexes cfg's virtual hosts by domain. The first virtual host naming
// a domain wins, as Envoy rejects duplicates and the decoder keeps the first.
func Compile(cfg *Config) *Table {
	t := &Table{Config: cfg, exact: make(map[string]int), any: -1}
	seen := make(map[string]bool)
	for i, vh := range cfg.VirtualHosts {
		for _, d := range vh.Domains {
			d = strings.ToLower(d)
			if seen[d] {
				continue
			}
			seen[d] = true
			t.addDomain(d, i)
		}
	}
	sort.SliceStable(t.suffix, func(i, j int) bool { return len(t.suffix[i].part) > len(t.suffix[j].part) })
	sort.SliceStable(t.prefix, func(i, j int) bool { return len(t.prefix[i].part) > len(t.prefix[j].part) })
	return t
}

func (t *Table) addDomain(d string, vh int) {
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
	if i := t.virtualHostIndex(authority); i >= 0 {
		return t.Config.VirtualHosts[i]
	}
	return nil
}

// virtualHostIndex is VirtualHost's lookup, returning an index or -1.
func (t *Table) virtualHostIndex(authority string) int {
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
	vi, ri := t.Locate(req)
	if vi < 0 {
		return nil, nil
	}
	vh := t.Config.VirtualHosts[vi]
	if ri < 0 {
		return vh, nil
	}
	return vh, vh.Routes[ri]
}

// Locate is Select returning indexes into Config.VirtualHosts and that
// virtual host's Routes (-1 when none), so callers can keep per-route data
// in parallel slices built once per config.
func (t *Table) Locate(req Request) (vhost, route int) {
	vi := t.virtualHostIndex(req.Authority())
	if vi < 0 {
		return -1, -1
	}
	return vi, t.Config.VirtualHosts[vi].MatchIndex(req)
}

// MatchIndex returns the index of the first route of vh matching req, or -1.
func (vh *VirtualHost) MatchIndex(req Request) int {
	for i, r := range vh.Routes {
		if r.Match.Matches(req) {
			return i
		}
	}
	return -1
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}
