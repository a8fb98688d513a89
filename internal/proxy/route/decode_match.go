//lint:file-ignore SA1019 Envoy still accepts the deprecated HeaderMatcher fields (exact_match, safe_regex_match, ...) and older control planes emit them, so the proxy decodes them too.

package route

import (
	"regexp"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// decodeMatch converts a RouteMatch. Regexes are anchored: Envoy's
// safe_regex must match the whole path or value.
func decodeMatch(m *routev3.RouteMatch) (Match, error) {
	if err := xdsdecode.OnlyFields(m, "prefix", "path", "safe_regex",
		"case_sensitive", "headers", "query_parameters"); err != nil {
		return Match{}, err
	}
	out := Match{CaseSensitive: true}
	if cs := m.GetCaseSensitive(); cs != nil {
		out.CaseSensitive = cs.GetValue()
	}
	switch p := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		out.PathKind, out.Path = PathPrefix, p.Prefix
	case *routev3.RouteMatch_Path:
		out.PathKind, out.Path = PathExact, p.Path
	case *routev3.RouteMatch_SafeRegex:
		re, err := xdsdecode.Regex(p.SafeRegex, true)
		if err != nil {
			return Match{}, xdsdecode.At(err, "safe_regex")
		}
		out.PathKind, out.Path, out.PathRegex = PathRegex, p.SafeRegex.GetRegex(), re
	default:
		return Match{}, xdsdecode.Errorf("", "want one of prefix, path or safe_regex")
	}
	for i, h := range m.GetHeaders() {
		hm, err := decodeHeaderMatch(h)
		if err != nil {
			return Match{}, xdsdecode.At(err, xdsdecode.Index("headers", i))
		}
		out.Headers = append(out.Headers, hm)
	}
	for i, q := range m.GetQueryParameters() {
		qm, err := decodeQueryMatch(q)
		if err != nil {
			return Match{}, xdsdecode.At(err, xdsdecode.Index("query_parameters", i))
		}
		out.Query = append(out.Query, qm)
	}
	return out, nil
}

// decodeHeaderMatch converts a HeaderMatcher. With no specifier, or with
// present_match, it matches on presence; present_match: false means absence,
// expressed as an inverted presence match.
func decodeHeaderMatch(h *routev3.HeaderMatcher) (HeaderMatch, error) {
	if err := xdsdecode.OnlyFields(h, "name", "exact_match", "safe_regex_match", "prefix_match",
		"suffix_match", "contains_match", "present_match", "string_match", "invert_match",
		"treat_missing_header_as_empty"); err != nil {
		return HeaderMatch{}, err
	}
	out := HeaderMatch{Name: strings.ToLower(h.GetName()), Invert: h.GetInvertMatch(), MissingAsEmpty: h.GetTreatMissingHeaderAsEmpty()}
	var err error
	switch s := h.GetHeaderMatchSpecifier().(type) {
	case nil:
		out.Kind = StringPresent
	case *routev3.HeaderMatcher_PresentMatch:
		out.Kind = StringPresent
		out.Invert = h.GetInvertMatch() != !s.PresentMatch
	case *routev3.HeaderMatcher_ExactMatch:
		out.Kind, out.Value = StringExact, s.ExactMatch
	case *routev3.HeaderMatcher_PrefixMatch:
		out.Kind, out.Value = StringPrefix, s.PrefixMatch
	case *routev3.HeaderMatcher_SuffixMatch:
		out.Kind, out.Value = StringSuffix, s.SuffixMatch
	case *routev3.HeaderMatcher_ContainsMatch:
		out.Kind, out.Value = StringContains, s.ContainsMatch
	case *routev3.HeaderMatcher_SafeRegexMatch:
		out.Kind, out.Value = StringRegex, s.SafeRegexMatch.GetRegex()
		out.Regex, err = xdsdecode.Regex(s.SafeRegexMatch, true)
		err = xdsdecode.At(err, "safe_regex_match")
	case *routev3.HeaderMatcher_StringMatch:
		var sm stringMatch
		sm, err = decodeStringMatch(s.StringMatch)
		out.Kind, out.Value, out.Regex, out.IgnoreCase = sm.kind, sm.value, sm.regex, sm.ignoreCase
		err = xdsdecode.At(err, "string_match")
	}
	return out, err
}

// decodeQueryMatch converts a QueryParameterMatcher; without string_match it
// matches on the parameter's presence, as Envoy does.
func decodeQueryMatch(q *routev3.QueryParameterMatcher) (QueryMatch, error) {
	if err := xdsdecode.OnlyFields(q, "name", "string_match", "present_match"); err != nil {
		return QueryMatch{}, err
	}
	out := QueryMatch{Name: q.GetName(), Kind: StringPresent}
	if q.GetStringMatch() == nil {
		return out, nil
	}
	sm, err := decodeStringMatch(q.GetStringMatch())
	if err != nil {
		return QueryMatch{}, xdsdecode.At(err, "string_match")
	}
	out.Kind, out.Value, out.Regex, out.IgnoreCase = sm.kind, sm.value, sm.regex, sm.ignoreCase
	return out, nil
}

// stringMatch is a decoded StringMatcher, shared by header and query matches.
type stringMatch struct {
	kind       StringKind
	value      string
	regex      *regexp.Regexp
	ignoreCase bool
}

func decodeStringMatch(m *matcherv3.StringMatcher) (stringMatch, error) {
	if err := xdsdecode.OnlyFields(m, "exact", "prefix", "suffix", "safe_regex", "contains", "ignore_case"); err != nil {
		return stringMatch{}, err
	}
	out := stringMatch{ignoreCase: m.GetIgnoreCase()}
	switch p := m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		out.kind, out.value = StringExact, p.Exact
	case *matcherv3.StringMatcher_Prefix:
		out.kind, out.value = StringPrefix, p.Prefix
	case *matcherv3.StringMatcher_Suffix:
		out.kind, out.value = StringSuffix, p.Suffix
	case *matcherv3.StringMatcher_Contains:
		out.kind, out.value = StringContains, p.Contains
	case *matcherv3.StringMatcher_SafeRegex:
		re, err := xdsdecode.Regex(p.SafeRegex, true)
		if err != nil {
			return stringMatch{}, xdsdecode.At(err, "safe_regex")
		}
		// ignore_case has no effect on regexes in Envoy.
		out.kind, out.value, out.regex, out.ignoreCase = StringRegex, p.SafeRegex.GetRegex(), re, false
	default:
		return stringMatch{}, xdsdecode.Errorf("", "want one of exact, prefix, suffix, contains or safe_regex")
	}
	return out, nil
}
