package route

import (
	"strconv"
	"strings"
)

// PickCluster chooses one of f's weighted clusters for a random number r
// (any uint32; it is reduced modulo the total weight).
func (f *Forward) PickCluster(r uint32) *WeightedCluster {
	return &f.Clusters[f.PickIndex(r)]
}

// PickIndex is PickCluster returning the index into f.Clusters.
func (f *Forward) PickIndex(r uint32) int {
	if len(f.Clusters) == 1 || f.TotalWeight == 0 {
		return 0
	}
	n := r % f.TotalWeight
	for i := range f.Clusters {
		w := f.Clusters[i].Weight
		if n < w {
			return i
		}
		n -= w
	}
	return len(f.Clusters) - 1
}

// RewritePath applies f's prefix or regex rewrite to a request path matched by
// m. It returns path unchanged (and false) when f rewrites nothing.
func (f *Forward) RewritePath(m *Match, path string) (string, bool) {
	switch {
	case f.PrefixRewrite != "" && m.PathKind != PathRegex:
		return replacePrefix(path, len(m.Path), f.PrefixRewrite), true
	case f.RegexRewrite != nil && f.RegexRewrite.Pattern != nil:
		p, q := splitQuery(path)
		return f.RegexRewrite.Pattern.ReplaceAllString(p, f.RegexRewrite.Substitution) + q, true
	}
	return path, false
}

// replacePrefix swaps the first n bytes of path (the matched prefix, or the
// whole path for an exact match) for repl, keeping the query.
func replacePrefix(path string, n int, repl string) string {
	p, q := splitQuery(path)
	if n > len(p) {
		n = len(p)
	}
	rest := p[n:]
	if strings.HasSuffix(repl, "/") && strings.HasPrefix(rest, "/") {
		rest = rest[1:]
	}
	return repl + rest + q
}

// splitQuery returns the path and its "?query" suffix ("" when none).
func splitQuery(path string) (string, string) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i], path[i:]
	}
	return path, ""
}

// Location builds the redirect target for a request with the given scheme,
// authority and path, matched by m.
func (r *Redirect) Location(m *Match, scheme, authority, path string) string {
	if r.Scheme != "" {
		scheme = r.Scheme
	}
	host, port := splitHostPort(authority)
	if r.Host != "" {
		// host_redirect replaces the whole authority, port included.
		host, port = r.Host, ""
	}
	if r.Port != 0 {
		port = strconv.FormatUint(uint64(r.Port), 10)
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case r.Path != "":
		_, q := splitQuery(path)
		path = r.Path
		if !strings.Contains(path, "?") {
			path += q
		}
	case r.PrefixRewrite != "" && m.PathKind != PathRegex:
		path = replacePrefix(path, len(m.Path), r.PrefixRewrite)
	}
	if r.StripQuery {
		path, _ = splitQuery(path)
	}
	var b strings.Builder
	b.Grow(len(scheme) + len(host) + len(port) + len(path) + 4)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(path)
	return b.String()
}

// RedirectCode is r's status, 301 by default.
func (r *Redirect) RedirectCode() int {
	if r.Code == 0 {
		return 301
	}
	return r.Code
}

// splitHostPort splits "host:port" (or "[v6]:port"); port is "" when absent.
func splitHostPort(authority string) (string, string) {
	i := strings.LastIndexByte(authority, ':')
	if i < 0 || strings.HasSuffix(authority, "]") {
		return authority, ""
	}
	return authority[:i], authority[i+1:]
}
