package xds

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/proto"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// Generate returns everything one proxy should see (docs/xds.md): its
// listeners, route configurations, clusters and endpoints, by type URL and
// name. It is pure and safe to call from many goroutines at once.
//
// Proxies of one scope (same namespace and Sidecar) share the route, cluster
// and endpoint maps, and every resource is shared wherever it is equal, so
// the maps and the *Resource values must never be modified. A resource whose
// inputs did not change since the previous push is the same *Resource as in
// that push's output: comparing pointers (then Marshaled versions) tells what
// changed.
func (p *Push) Generate(proxy *Proxy) ProxyResources {
	if proxy.InterceptionMode == xdsmeta.InterceptionRedirect {
		p.report(config.Problem{Source: "proxy " + proxy.ID.String(), Severity: config.SeverityWarning,
			Reason: "INTERCEPTION_MODE REDIRECT is not generated yet (no virtualOutbound/virtualInbound); the proxy gets NONE-mode listeners"})
	}
	id := p.identify(proxy)
	s := p.scope(p.scopeKeyFor(id))
	if len(s.ingress) == 0 {
		return s.resources(s.listeners)
	}
	listeners := make(map[string]*Resource, len(s.listeners)+len(s.ingress))
	maps.Copy(listeners, s.listeners)
	p.inboundListeners(s, id, listeners)
	return s.resources(listeners)
}

func (p *Push) scopeKeyFor(id identity) scopeKey {
	k := scopeKey{ns: id.proxy.Namespace()}
	if id.workload != nil {
		k.sidecar = p.sidecarOf.get(id.workload, func() *config.Object {
			return p.sidecars.forWorkload(k.ns, id.labels)
		})
	} else {
		k.sidecar = p.sidecars.forWorkload(k.ns, id.labels)
	}
	if p.vs.sourceLabels {
		k.labels = labelsKey(id.labels)
	}
	return k
}

// labelsKey renders labels canonically: `k=v` joined by NULs, sorted.
func labelsKey(labels map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(labels[k])
		b.WriteByte(0)
	}
	return b.String()
}

// labelsOf parses a scope's labels back from its key.
func (p *Push) labelsOf(k scopeKey) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(k.labels, "\x00"), "\x00") {
		if name, value, ok := strings.Cut(kv, "="); ok {
			out[name] = value
		}
	}
	return out
}

// newResource wraps a generated message after checking it with ValidateAll.
// An invalid message is a generator bug: it is still emitted (the proxy
// rejects it by name and keeps its previous version) and reported.
func (p *Push) newResource(typeURL, name string, msg proto.Message) *Resource {
	if v, ok := msg.(interface{ ValidateAll() error }); ok {
		if err := v.ValidateAll(); err != nil {
			p.report(config.Problem{Reason: fmt.Sprintf("internal error: generated %s %q is invalid: %v", shortType(typeURL), name, err)})
		}
	}
	return NewResource(typeURL, name, msg)
}

func shortType(typeURL string) string {
	switch typeURL {
	case resourcev3.ListenerType:
		return "listener"
	case resourcev3.RouteType:
		return "route configuration"
	case resourcev3.ClusterType:
		return "cluster"
	case resourcev3.EndpointType:
		return "load assignment"
	}
	return typeURL
}

func sortServices(list []*registry.Service) {
	slices.SortFunc(list, func(a, b *registry.Service) int { return strings.Compare(a.Hostname, b.Hostname) })
}

func sortPorts(list []registry.Port) {
	slices.SortFunc(list, func(a, b registry.Port) int { return int(a.Number) - int(b.Number) })
}
