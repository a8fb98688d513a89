package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Patterns of Kubernetes names and labels (RFC 1123 and label syntax).
var (
	dns1123LabelPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	wildcardLabel       = regexp.MustCompile(`^(\*|(\*|\*-)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$`)
	labelNamePattern    = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	headerNamePattern   = regexp.MustCompile(`^[-_A-Za-z0-9]+$`)
)

func isDNS1123Label(s string) bool {
	return len(s) <= 63 && dns1123LabelPattern.MatchString(s)
}

// isDNS1123Subdomain reports names like Kubernetes object names: dot-separated labels.
func isDNS1123Subdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !isDNS1123Label(l) {
			return false
		}
	}
	return true
}

// validateFQDN accepts a lowercase DNS name (a trailing dot is allowed).
func validateFQDN(name string) error {
	if err := checkHostLength(name); err != nil {
		return err
	}
	if l, bad := badLabel(strings.TrimSuffix(name, ".")); bad {
		return fmt.Errorf("%q is not a valid host name (label %q: lowercase letters, digits and '-')", name, l)
	}
	return nil
}

// validateWildcardHost accepts a DNS name whose first label may be a wildcard
// (`*`, `*.example.com`, `*foo.example.com`), as Istio does.
func validateWildcardHost(name string) error {
	if err := checkHostLength(name); err != nil {
		return err
	}
	first, rest, hasRest := strings.Cut(name, ".")
	if len(first) > 63 || !wildcardLabel.MatchString(first) {
		return fmt.Errorf("%q is not a valid host (label %q: lowercase letters, digits and '-'; '*' only as the first label's prefix)", name, first)
	}
	if l, bad := badLabel(strings.TrimSuffix(rest, ".")); hasRest && bad {
		return fmt.Errorf("%q is not a valid host (label %q: lowercase letters, digits and '-')", name, l)
	}
	return nil
}

func checkHostLength(name string) error {
	if name == "" {
		return errors.New("host must not be empty")
	}
	if len(name) > 255 {
		return fmt.Errorf("host %q is longer than 255 characters", name)
	}
	return nil
}

// badLabel returns the first label of a dotted name that is not a DNS label.
func badLabel(name string) (string, bool) {
	for _, l := range strings.Split(name, ".") {
		if !isDNS1123Label(l) {
			return l, true
		}
	}
	return "", false
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// validateIPOrCIDR accepts an address or a prefix (10.0.0.0/8).
func validateIPOrCIDR(s string) error {
	if strings.Contains(s, "/") {
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("%q is not a valid CIDR block", s)
		}
		return nil
	}
	if !isIP(s) {
		return fmt.Errorf("%q is not a valid IP address", s)
	}
	return nil
}

func validatePort(n int64) error {
	if n < 1 || n > 65535 {
		return fmt.Errorf("port number %d must be between 1 and 65535", n)
	}
	return nil
}

// validateDuration is Istio's rule for durations: at least 1ms, whole milliseconds.
func validateDuration(d time.Duration) error {
	if d < time.Millisecond {
		return fmt.Errorf("duration %s must be at least 1ms", d)
	}
	if d%time.Millisecond != 0 {
		return fmt.Errorf("duration %s: only whole milliseconds are supported", d)
	}
	return nil
}

// validateLabelKey accepts Kubernetes label keys: [prefix/]name.
func validateLabelKey(k string) error {
	prefix, name, hasPrefix := strings.Cut(k, "/")
	if !hasPrefix {
		name, prefix = prefix, ""
	}
	if hasPrefix && !isDNS1123Subdomain(prefix) {
		return fmt.Errorf("label key %q: prefix %q must be a DNS subdomain", k, prefix)
	}
	if len(name) > 63 || !labelNamePattern.MatchString(name) {
		return fmt.Errorf("label key %q is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", k)
	}
	return nil
}

func validateLabelValue(v string) error {
	if v != "" && (len(v) > 63 || !labelNamePattern.MatchString(v)) {
		return fmt.Errorf("label value %q is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", v)
	}
	return nil
}

// checkLabels validates a label map (selectors, subsets, workload labels).
func (f *findings) checkLabels(path string, labels map[string]string) {
	for k, v := range labels {
		if err := validateLabelKey(k); err != nil {
			f.errorf(mapKey(path, k), "%v", err)
		} else if err := validateLabelValue(v); err != nil {
			f.errorf(mapKey(path, k), "%v", err)
		}
	}
}

// isProtocol reports the port protocols Istio accepts (case-insensitive).
func isProtocol(p string) bool {
	switch strings.ToUpper(p) {
	case "HTTP", "HTTPS", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB", "TCP", "TLS",
		"MONGO", "REDIS", "MYSQL", "UDP":
		return true
	}
	return false
}

func validateProtocol(p string) error {
	if !isProtocol(p) {
		return fmt.Errorf("unknown protocol %q: use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL or UDP", p)
	}
	return nil
}

func validatePortName(name string) error {
	if !isDNS1123Label(name) {
		return fmt.Errorf("port name %q must be a DNS label (lowercase letters, digits and '-')", name)
	}
	return nil
}

// errorf is fmt.Errorf for messages without wrapped errors.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
