package registry

import (
	"net/netip"
	"strings"
)

// DomainSuffix is the cluster's DNS domain.
const DomainSuffix = "cluster.local"

// ResolveHost qualifies a host name written in an object of namespace ns the
// way Istio and Kubernetes do: a name without dots is a service of that
// namespace (`reviews` in `default` is `reviews.default.svc.cluster.local`);
// names with dots, `*` and IP addresses are taken as written.
func ResolveHost(name, ns string) string {
	if name == "*" || strings.Contains(name, ".") || name == "" {
		return name
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return name
	}
	return name + "." + ns + ".svc." + DomainSuffix
}

// HostMatches reports whether pattern, a host name that may start with a `*`
// wildcard (`*.example.com`, `*`), matches the host name host.
func HostMatches(pattern, host string) bool {
	if pattern == host || pattern == "*" {
		return true
	}
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(host, suffix)
	}
	return false
}

// KubernetesShortNames returns the names the Kubernetes DNS search path of a
// pod in namespace ns resolves to the cluster-local service host, shortest
// first: `reviews`, `reviews.default`, `reviews.default.svc` for
// `reviews.default.svc.cluster.local` seen from `default`; the first is
// omitted from other namespaces. Hosts outside the cluster domain have none.
func KubernetesShortNames(host, ns string) []string {
	rest, ok := strings.CutSuffix(host, ".svc."+DomainSuffix)
	if !ok {
		return nil
	}
	name, svcNS, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(svcNS, ".") {
		return nil
	}
	names := make([]string, 0, 3)
	if svcNS == ns {
		names = append(names, name)
	}
	return append(names, rest, rest+".svc")
}
