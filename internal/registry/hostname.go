package registry

import (
	"strings"

	"github.com/loom-mesh/loom/internal/config"
)

// DomainSuffix is the cluster's DNS domain.
const DomainSuffix = "cluster.local"

// ResolveHost qualifies a host name written in an object of namespace ns the
// way Istio and Kubernetes do; it is config.ResolveHost, named here for the
// registry's users.
func ResolveHost(name, ns string) string { return config.ResolveHost(name, ns) }

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
