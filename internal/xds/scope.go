package xds

import (
	"strconv"

	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// scopeKey identifies the proxies that see the same outbound configuration:
// those of one namespace configured by one Sidecar (nil: the default), and,
// only when some VirtualService matches on sourceLabels, with equal labels.
type scopeKey struct {
	sidecar *config.Object
	ns      string
	labels  string
}

// scope is what every proxy of one scopeKey receives, shared: the maps are
// never modified once built.
type scope struct {
	key       scopeKey
	listeners map[string]*Resource // outbound
	routes    map[string]*Resource
	clusters  map[string]*Resource // outbound and inbound
	endpoints map[string]*Resource
	ingress   []*ingressListener // rendered per proxy: they carry its identity
}

// outboundListener is one listener an egress listener expands to.
type outboundListener struct {
	egress    *egressListener
	name      string
	bind      string
	port      uint32
	http      bool
	routeName string
	services  []*registry.Service // imported and having port, by host
}

// scope builds (once per push) what a scope's proxies share.
func (p *Push) scope(k scopeKey) *scope {
	return p.scopes.get(k, func() *scope { return p.buildScope(k) })
}

func (p *Push) buildScope(k scopeKey) *scope {
	s := &scope{
		key:       k,
		listeners: make(map[string]*Resource),
		routes:    make(map[string]*Resource),
		clusters:  make(map[string]*Resource),
		endpoints: make(map[string]*Resource),
	}
	spec := sidecarSpec(k.sidecar)
	egress := egressListeners(spec, k.ns)
	imported := p.importedServices(egress, k.ns)
	for _, ol := range p.outboundListeners(egress, imported, k) {
		p.addOutbound(s, ol)
	}
	for _, svc := range importedList(imported) {
		for _, port := range svc.Ports {
			p.addServiceClusters(s, svc, port, k.ns)
		}
	}
	s.ingress = ingressListeners(spec, k.sidecar)
	for _, in := range s.ingress {
		p.addInboundCluster(s, in)
	}
	return s
}

// importedServices lists, per egress listener, the services it imports, by host.
func (p *Push) importedServices(egress []*egressListener, ns string) map[*egressListener][]*registry.Service {
	out := make(map[*egressListener][]*registry.Service, len(egress))
	for _, l := range egress {
		for _, svc := range p.Registry.Services() {
			if l.importsService(svc, ns) {
				out[l] = append(out[l], svc)
			}
		}
	}
	return out
}

// outboundListeners expands egress listeners into bound listeners: explicit
// ports first, in order, then one per port of each catch-all listener's
// services. The first listener on an address wins; the first on a port gets
// route configuration "<port>", later ones "<bind>:<port>".
func (p *Push) outboundListeners(egress []*egressListener, imported map[*egressListener][]*registry.Service, k scopeKey) []*outboundListener {
	var out []*outboundListener
	bound := map[string]bool{}
	routeNames := map[string]bool{}
	add := func(l *egressListener, port uint32, protocol registry.Protocol) {
		name := xdsmeta.ListenerName(l.bind, port)
		if bound[name] {
			if l.port != 0 {
				p.report(warning(sidecarKey(k), l.field+".port", "another egress listener already binds "+name+"; this one is ignored"))
			}
			return
		}
		bound[name] = true
		ol := &outboundListener{egress: l, name: name, bind: l.bind, port: port, http: protocol.IsHTTP()}
		for _, svc := range imported[l] {
			if _, ok := svc.Port(port); ok {
				ol.services = append(ol.services, svc)
			}
		}
		if ol.http {
			ol.routeName = strconv.FormatUint(uint64(port), 10)
			if routeNames[ol.routeName] {
				ol.routeName = l.bind + ":" + ol.routeName
			}
			routeNames[ol.routeName] = true
		}
		out = append(out, ol)
	}
	for _, l := range egress {
		if l.port != 0 {
			add(l, l.port, egressProtocol(l, imported[l]))
		}
	}
	for _, l := range egress {
		if l.port == 0 {
			for _, pp := range portsOf(imported[l]) {
				add(l, pp.Number, pp.Protocol)
			}
		}
	}
	return out
}

// egressProtocol is what an explicit egress port speaks: its declared
// protocol, else that of the first imported service (by host) with a port of
// that number, else TCP.
func egressProtocol(l *egressListener, services []*registry.Service) registry.Protocol {
	if l.protocol != "" {
		return l.protocol
	}
	for _, svc := range services {
		if pp, ok := svc.Port(l.port); ok {
			return pp.Protocol
		}
	}
	return registry.ProtocolTCP
}

// portsOf lists the distinct port numbers of services, with the protocol of
// the first service (by host) that has each, by number.
func portsOf(services []*registry.Service) []registry.Port {
	seen := map[uint32]bool{}
	var out []registry.Port
	for _, svc := range services {
		for _, pp := range svc.Ports {
			if !seen[pp.Number] {
				seen[pp.Number] = true
				out = append(out, pp)
			}
		}
	}
	sortPorts(out)
	return out
}

// importedList flattens the per-listener imports, without duplicates, by host.
func importedList(imported map[*egressListener][]*registry.Service) []*registry.Service {
	seen := map[*registry.Service]bool{}
	var out []*registry.Service
	for _, list := range imported {
		for _, svc := range list {
			if !seen[svc] {
				seen[svc] = true
				out = append(out, svc)
			}
		}
	}
	sortServices(out)
	return out
}

// addOutbound adds a listener, its route configuration and the clusters its
// routes name.
func (p *Push) addOutbound(s *scope, ol *outboundListener) {
	if !ol.http {
		p.addTCPOutbound(s, ol)
		return
	}
	if len(ol.services) == 0 {
		p.report(warning(sidecarKey(s.key), ol.egress.field, "no imported service has port "+strconv.Itoa(int(ol.port))+
			"; requests to listener "+ol.name+" are answered 404 (route not found)"))
	}
	rc := p.gatherRoutes(ol, s.key)
	s.routes[ol.routeName] = p.routeConfiguration(rc)
	for _, d := range rc.destinations {
		p.addServiceClusters(s, d.svc, d.port, s.key.ns)
	}
	s.listeners[ol.name] = p.httpOutboundListener(ol)
}

func (p *Push) addTCPOutbound(s *scope, ol *outboundListener) {
	if len(ol.services) == 0 {
		p.report(warning(sidecarKey(s.key), ol.egress.field, "no imported service has port "+strconv.Itoa(int(ol.port))+"; no listener on "+ol.name))
		return
	}
	svc := ol.services[0]
	if len(ol.services) > 1 {
		p.report(warning(sidecarKey(s.key), ol.egress.field, "several TCP services have port "+strconv.Itoa(int(ol.port))+
			"; listener "+ol.name+" forwards to the first, "+svc.Hostname))
	}
	s.listeners[ol.name] = p.tcpOutboundListener(ol, xdsmeta.OutboundCluster(svc.Hostname, ol.port, ""))
}

// sidecarKey names the Sidecar of a scope in problems.
func sidecarKey(k scopeKey) config.Key {
	if k.sidecar == nil {
		return config.Key{Kind: config.KindSidecar, Namespace: k.ns, Name: "(default)"}
	}
	return k.sidecar.Key
}

// resources returns the scope's resources for a proxy with these listeners.
func (s *scope) resources(listeners map[string]*Resource) ProxyResources {
	return ProxyResources{
		resourcev3.ListenerType: listeners,
		resourcev3.RouteType:    s.routes,
		resourcev3.ClusterType:  s.clusters,
		resourcev3.EndpointType: s.endpoints,
	}
}
