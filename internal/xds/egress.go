package xds

import (
	"fmt"
	"strings"

	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// defaultBind is where outbound listeners bind when the Sidecar names no
// address: the proxy runs next to its app, and the app calls loopback.
const defaultBind = "127.0.0.1"

// hostImport is one `namespace/dnsName` of a Sidecar egress listener.
type hostImport struct {
	ns   string // a namespace, or "*" for any
	host string // resolved; may be a wildcard
}

// egressListener is a Sidecar egress listener, or the default one a proxy
// without a Sidecar gets (`*/*` on every port).
type egressListener struct {
	field    string // spec.egress[i], for problems
	bind     string
	port     uint32 // 0: one listener per port of the imported services
	protocol registry.Protocol
	imports  []hostImport
	// single is true when hosts names exactly one host (no wildcard): the
	// listener then sends everything to it, whatever the authority says.
	single bool
}

func defaultEgress() []*egressListener {
	return []*egressListener{{field: "default", bind: defaultBind, imports: []hostImport{{ns: "*", host: "*"}}}}
}

// egressListeners reads a Sidecar's egress listeners for a proxy in ns.
func egressListeners(sc *v1alpha3.Sidecar, ns string) []*egressListener {
	if sc == nil || len(sc.GetEgress()) == 0 {
		return defaultEgress()
	}
	var out []*egressListener
	for i, e := range sc.GetEgress() {
		l := &egressListener{field: fmt.Sprintf("spec.egress[%d]", i), bind: e.GetBind()}
		if l.bind == "" {
			l.bind = defaultBind
		}
		if p := e.GetPort(); p != nil {
			l.port = p.GetNumber()
			// Empty when the port does not say: the listener then speaks
			// what the imported services' port of that number does.
			l.protocol, _ = registry.DeclaredProtocol(p.GetProtocol(), p.GetName())
		}
		for _, h := range e.GetHosts() {
			if imp, ok := parseImport(h, ns); ok {
				l.imports = append(l.imports, imp)
			}
		}
		l.single = len(l.imports) == 1 && !strings.Contains(l.imports[0].host, "*")
		out = append(out, l)
	}
	return out
}

// parseImport reads `namespace/dnsName`: namespace `*` is any, `.` the
// Sidecar's own, `~` none (the entry imports nothing). A dnsName without dots
// is a short name, resolved in the named namespace (or the Sidecar's for `.`
// and `*`), a convenience Istio does not offer.
func parseImport(s, ns string) (hostImport, bool) {
	impNS, host, ok := strings.Cut(s, "/")
	if !ok {
		impNS, host = "*", s
	}
	switch impNS {
	case "~":
		return hostImport{}, false
	case ".":
		impNS = ns
	}
	resolveNS := impNS
	if resolveNS == "*" {
		resolveNS = ns
	}
	return hostImport{ns: impNS, host: registry.ResolveHost(host, resolveNS)}, true
}

// importsService reports whether the listener imports svc for a proxy in ns.
func (l *egressListener) importsService(svc *registry.Service, ns string) bool {
	if !svc.ExportTo.VisibleTo(ns) || svc.Resolution == registry.ResolutionNone {
		return false
	}
	for _, imp := range l.imports {
		if (imp.ns == "*" || imp.ns == svc.Namespace) && registry.HostMatches(imp.host, svc.Hostname) {
			return true
		}
	}
	return false
}

// importsVirtualService reports whether the listener imports vs for host.
func (l *egressListener) importsVirtualService(vs *virtualService, host string) bool {
	for _, imp := range l.imports {
		if (imp.ns == "*" || imp.ns == vs.obj.Namespace) && registry.HostMatches(imp.host, host) {
			return true
		}
	}
	return false
}

// sidecarSpec returns the Sidecar spec of o, or nil.
func sidecarSpec(o *config.Object) *v1alpha3.Sidecar {
	if o == nil {
		return nil
	}
	sc, _ := o.Spec.(*v1alpha3.Sidecar)
	return sc
}
