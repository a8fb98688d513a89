package route

import (
	"regexp"
	"strings"
)

// Request is what route matching reads from a request, whatever its protocol.
// Implementations must not allocate on these calls in the common case.
type Request interface {
	Method() string
	// Authority is the Host header (HTTP/1.1) or :authority (HTTP/2).
	Authority() string
	// Path is the request target as received, with its query string.
	Path() string
	Scheme() string
	// Header returns the value of the header named name (lowercase), several
	// values joined by ",", and whether the header is present. Pseudo-headers
	// are answered by the callers of Header (see HeaderValue).
	Header(name string) (string, bool)
}

// HeaderValue returns a request header, answering the pseudo-headers
// `:method`, `:authority`, `:scheme` and `:path` from the request line.
func HeaderValue(req Request, name string) (string, bool) {
	if len(name) > 0 && name[0] == ':' {
		switch name {
		case ":method":
			return req.Method(), true
		case ":authority":
			return req.Authority(), true
		case ":scheme":
			return req.Scheme(), true
		case ":path":
			return req.Path(), true
		}
		return "", false
	}
	return req.Header(name)
}

// Matches reports whether req satisfies every condition of m.
func (m *Match) Matches(req Request) bool {
	path := req.Path()
	if !m.matchPath(path) {
		return false
	}
	for i := range m.Headers {
		if !m.Headers[i].Matches(req) {
			return false
		}
	}
	if len(m.Query) == 0 {
		return true
	}
	query := queryOf(path)
	for i := range m.Query {
		if !m.Query[i].Matches(query) {
			return false
		}
	}
	return true
}

func (m *Match) matchPath(path string) bool {
	switch m.PathKind {
	case PathPrefix:
		if m.CaseSensitive {
			return strings.HasPrefix(path, m.Path)
		}
		return len(path) >= len(m.Path) && strings.EqualFold(path[:len(m.Path)], m.Path)
	case PathExact:
		p := stripQuery(path)
		if m.CaseSensitive {
			return p == m.Path
		}
		return strings.EqualFold(p, m.Path)
	case PathRegex:
		return m.PathRegex != nil && m.PathRegex.MatchString(stripQuery(path))
	}
	return false
}

// Matches reports whether the request's header satisfies h, as Envoy
// decides: an absent header satisfies no value matcher, inverted or not
// (unless MissingAsEmpty), and only an inverted presence matcher.
func (h *HeaderMatch) Matches(req Request) bool {
	v, ok := HeaderValue(req, h.Name)
	switch {
	case h.Kind == StringPresent:
		return ok != h.Invert
	case !ok && !h.MissingAsEmpty:
		return false
	}
	return matchString(h.Kind, v, h.Value, h.Regex, h.IgnoreCase) != h.Invert
}

// Matches reports whether the raw query string (without '?') satisfies q.
// The first parameter named q.Name is compared; values are not decoded.
func (q *QueryMatch) Matches(query string) bool {
	v, ok := queryParam(query, q.Name)
	if q.Kind == StringPresent {
		return ok
	}
	return ok && matchString(q.Kind, v, q.Value, q.Regex, q.IgnoreCase)
}

func matchString(kind StringKind, v, want string, re *regexp.Regexp, fold bool) bool {
	switch kind {
	case StringExact:
		if fold {
			return strings.EqualFold(v, want)
		}
		return v == want
	case StringPrefix:
		return len(v) >= len(want) && eq(v[:len(want)], want, fold)
	case StringSuffix:
		return len(v) >= len(want) && eq(v[len(v)-len(want):], want, fold)
	case StringContains:
		if fold {
			return strings.Contains(strings.ToLower(v), strings.ToLower(want))
		}
		return strings.Contains(v, want)
	case StringRegex:
		return re != nil && re.MatchString(v)
	case StringPresent:
		return true
	}
	return false
}

func eq(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func stripQuery(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}

func queryOf(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		q := path[i+1:]
		if j := strings.IndexByte(q, '#'); j >= 0 {
			q = q[:j]
		}
		return q
	}
	return ""
}

// queryParam finds the first parameter named name in a raw query string.
func queryParam(query, name string) (string, bool) {
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k == name {
			return v, true
		}
	}
	return "", false
}
