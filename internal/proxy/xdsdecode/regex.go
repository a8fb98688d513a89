package xdsdecode

import (
	"regexp"

	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// Regex compiles an Envoy RegexMatcher (RE2 syntax, which Go's regexp
// implements). Envoy's safe_regex matches must cover the whole input, so
// fullMatch anchors the pattern; rewrites (regex_rewrite) search instead.
func Regex(m *matcherv3.RegexMatcher, fullMatch bool) (*regexp.Regexp, error) {
	if m == nil {
		return nil, Errorf("", "required")
	}
	// google_re2 (deprecated) only bounds the RE2 program size; Go's regexp
	// runs in linear time whatever the size.
	if err := OnlyFields(m, "google_re2", "regex"); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(m.GetRegex())
	if err != nil {
		return nil, Errorf("regex", "%q: %v", m.GetRegex(), err)
	}
	if !fullMatch {
		return re, nil
	}
	if re, err = regexp.Compile(`^(?:` + m.GetRegex() + `)$`); err != nil {
		return nil, Errorf("regex", "%q: %v", m.GetRegex(), err)
	}
	return re, nil
}
