package xds

import (
	"strconv"
	"strings"

	"github.com/loom-mesh/loom/internal/registry"
)

// vhostDomains lists the authorities that reach a service port from a proxy
// in ns, as Istio builds them: the host name, the short names the Kubernetes
// DNS search path of ns resolves to it, and the service's addresses, each bare
// and with `:<port>`.
func vhostDomains(svc *registry.Service, port uint32, ns string) []string {
	names := append([]string{svc.Hostname}, registry.KubernetesShortNames(svc.Hostname, ns)...)
	names = append(names, svc.Addresses...)
	suffix := ":" + strconv.FormatUint(uint64(port), 10)
	out := make([]string, 0, 2*len(names))
	for _, n := range names {
		switch {
		case isCIDR(n):
			continue
		case strings.Contains(n, ":"): // IPv6: authorities bracket it
			n = "[" + n + "]"
		}
		out = append(out, n, n+suffix)
	}
	return out
}

func isCIDR(s string) bool { return strings.Contains(s, "/") }

// domainSet keeps domains unique across the virtual hosts of one route
// configuration (Envoy rejects duplicates); the first virtual host keeps a
// domain two would share.
type domainSet map[string]bool

func (d domainSet) claim(domains []string) []string {
	out := domains[:0:0]
	for _, dom := range domains {
		if !d[dom] {
			d[dom] = true
			out = append(out, dom)
		}
	}
	return out
}
