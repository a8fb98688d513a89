package config

import (
	"fmt"
	"regexp"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) httpMatch(path string, m *networking.HTTPMatchRequest) {
	for _, field := range []struct {
		name string
		sm   *networking.StringMatch
	}{{"uri", m.GetUri()}, {"scheme", m.GetScheme()}, {"method", m.GetMethod()}, {"authority", m.GetAuthority()}} {
		if field.sm != nil {
			f.stringMatch(dot(path, field.name), field.sm, false)
		}
	}
	f.headerMatches(dot(path, "headers"), m.GetHeaders())
	f.headerMatches(dot(path, "withoutHeaders"), m.GetWithoutHeaders())
	for name, sm := range m.GetQueryParams() {
		p := mapKey(dot(path, "queryParams"), name)
		if name == "" {
			f.errorf(p, "query parameter name must not be empty")
		}
		f.stringMatch(p, sm, true)
	}
	if m.GetPort() != 0 {
		f.check(dot(path, "port"), validatePort(int64(m.GetPort())))
	}
	f.checkLabels(dot(path, "sourceLabels"), m.GetSourceLabels())
	f.gatewayNames(dot(path, "gateways"), m.GetGateways())
	if ns := m.GetSourceNamespace(); ns != "" && !isDNS1123Label(ns) {
		f.errorf(dot(path, "sourceNamespace"), "%q must be a namespace name", ns)
	}
}

// headerMatches checks header names the way Istio does; names match
// case-insensitively, so an uppercase name is only a warning.
func (f *findings) headerMatches(path string, headers map[string]*networking.StringMatch) {
	for name, sm := range headers {
		p := mapKey(path, name)
		switch {
		case name == "":
			f.errorf(p, "header name must not be empty")
		case !headerNamePattern.MatchString(name):
			f.errorf(p, "%q is not a valid header name (letters, digits, '-' and '_')", name)
		case strings.ToLower(name) != name:
			f.warnf(p, "header names are case-insensitive; %q matches the header %q, write it in lowercase", name, strings.ToLower(name))
		}
		f.stringMatch(p, sm, true)
	}
}

// stringMatch checks exact/prefix/regex. An empty match means "present" for
// headers and query parameters and "anything" elsewhere.
func (f *findings) stringMatch(path string, sm *networking.StringMatch, emptyMeansPresent bool) {
	switch t := sm.GetMatchType().(type) {
	case *networking.StringMatch_Regex:
		f.check(dot(path, "regex"), validateRegex(t.Regex))
	case nil:
		if !emptyMeansPresent {
			f.warnf(path, "no exact, prefix or regex: this matches every request")
		}
	}
}

// validateRegex checks an RE2 regular expression as Envoy will run it.
func validateRegex(re string) error {
	if re == "" {
		return fmt.Errorf("regex must not be empty")
	}
	if len(re) > 1024 {
		return fmt.Errorf("regex is %d characters long; at most 1024 are allowed", len(re))
	}
	if _, err := regexp.Compile(re); err != nil {
		return fmt.Errorf("invalid RE2 regex: %w", err)
	}
	return nil
}

// headerOperations checks set/add/remove of request and response headers.
func (f *findings) headerOperations(path string, h *networking.Headers) {
	if h == nil {
		return
	}
	f.headerOps(dot(path, "request"), h.GetRequest(), true)
	f.headerOps(dot(path, "response"), h.GetResponse(), false)
}

func (f *findings) headerOps(path string, ops *networking.Headers_HeaderOperations, request bool) {
	for _, op := range []struct {
		name string
		m    map[string]string
	}{{"set", ops.GetSet()}, {"add", ops.GetAdd()}} {
		for name, value := range op.m {
			p := mapKey(dot(path, op.name), name)
			f.check(p, validateHeaderOpName(name, request && isAuthorityHeader(name)))
			f.check(p, validateHeaderValue(value))
		}
	}
	for i, name := range ops.GetRemove() {
		f.check(index(dot(path, "remove"), i), validateHeaderOpName(name, false))
	}
}

func validateHeaderOpName(name string, authorityAllowed bool) error {
	switch {
	case name == "":
		return fmt.Errorf("header name must not be empty")
	case authorityAllowed:
		return nil
	case strings.EqualFold(name, "host"):
		return fmt.Errorf("the Host header cannot be changed here (use rewrite.authority)")
	case strings.HasPrefix(name, ":"):
		return fmt.Errorf("pseudo-header %q cannot be changed", name)
	}
	return nil
}

// validateHeaderValue rejects control characters and unbalanced `%`: Envoy
// reads `%NAME%` as a substitution and `%%` as a literal percent sign.
func validateHeaderValue(v string) error {
	for _, r := range v {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return fmt.Errorf("header value %q contains a control character", v)
		}
	}
	for rest := v; ; {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			return nil
		}
		rest = rest[i+1:]
		if strings.HasPrefix(rest, "%") {
			rest = rest[1:]
			continue
		}
		j := strings.IndexByte(rest, '%')
		if j <= 0 {
			return fmt.Errorf("header value %q has an unterminated %%...%% substitution (write %%%% for a literal %%)", v)
		}
		rest = rest[j+1:]
	}
}

func validateHTTPStatus(status int64) error {
	if status < 200 || status > 599 {
		return fmt.Errorf("HTTP status %d is not in the range 200-599", status)
	}
	return nil
}
