package config

import (
	"net/netip"
	"strings"
)

// ClusterDomain is the DNS suffix Loom gives services, as Kubernetes does.
const ClusterDomain = "svc.cluster.local"

// ResolveHost turns a host as written in an object of namespace ns into the
// name Istio gives it: a short name (no dots) becomes
// `<name>.<ns>.svc.cluster.local`, so `reviews` in `default` is
// `reviews.default.svc.cluster.local`; a name with a dot, a wildcard or an
// IP address (`::1` has no dot) is taken as written.
func ResolveHost(host, ns string) string {
	if host == "" || strings.Contains(host, ".") || strings.HasPrefix(host, "*") {
		return host
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host
	}
	return host + "." + ns + "." + ClusterDomain
}
