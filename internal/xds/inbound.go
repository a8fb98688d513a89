package xds

import (
	"fmt"
	"net/netip"
	"strconv"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/types/known/structpb"
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// ingressListener is a Sidecar ingress listener: traffic for the workload,
// handed to its app at the default endpoint.
type ingressListener struct {
	port     uint32
	protocol registry.Protocol
	bind     string // "": the workload's address
	endpoint netip.AddrPort
}

// ingressListeners reads a Sidecar's ingress listeners. Entries without a
// usable port or endpoint are reported by Unsupported and skipped.
func ingressListeners(sc *v1alpha3.Sidecar, _ *config.Object) []*ingressListener {
	var out []*ingressListener
	for _, in := range sc.GetIngress() {
		port := in.GetPort().GetNumber()
		ep, ok := parseDefaultEndpoint(in.GetDefaultEndpoint(), port)
		if port == 0 || !ok {
			continue
		}
		out = append(out, &ingressListener{
			port:     port,
			protocol: registry.ProtocolOf(in.GetPort().GetProtocol(), in.GetPort().GetName()),
			bind:     in.GetBind(),
			endpoint: ep,
		})
	}
	return out
}

// parseDefaultEndpoint reads `127.0.0.1:8080`; empty means 127.0.0.1 on the
// listener's port. `0.0.0.0` (Istio: the instance address) is read as
// loopback, where a local-mode app listens.
func parseDefaultEndpoint(s string, port uint32) (netip.AddrPort, bool) {
	if s == "" {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port)), port != 0
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return netip.AddrPort{}, false
	}
	if ap.Addr().IsUnspecified() {
		ap = netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), ap.Port())
	}
	return ap, true
}

type inboundClusterKey struct {
	port     uint32
	endpoint netip.AddrPort
	http     bool
}

// addInboundCluster adds `inbound|<port>||`: the app, at the default endpoint.
func (p *Push) addInboundCluster(s *scope, in *ingressListener) {
	name := xdsmeta.InboundCluster(in.port)
	k := inboundClusterKey{port: in.port, endpoint: in.endpoint, http: in.protocol.IsHTTP()}
	s.clusters[name] = p.resources.get(k, func() *Resource {
		c := &clusterv3.Cluster{
			Name:                 name,
			ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STATIC},
			ConnectTimeout:       seconds(defaultConnectTimeoutSeconds),
			CircuitBreakers:      defaultCircuitBreakers(),
			LoadAssignment:       singleEndpoint(name, in.endpoint),
		}
		if k.http {
			c.TypedExtensionProtocolOptions = map[string]*anyMessage{httpProtocolOptionsKey: mustAny(downstreamProtocol())}
		}
		return p.newResource(resourcev3.ClusterType, name, c)
	})
}

// inboundListenerKey is everything an inbound listener is built from,
// including the identity it carries.
type inboundListenerKey struct {
	bind      string
	address   string
	port      uint32
	http      bool
	workload  string
	namespace string
	service   string
	app       string
	version   string
	account   string
}

// inboundListeners renders a proxy's inbound listeners; their metadata names
// the workload, so they are per proxy (reused across pushes while unchanged).
func (p *Push) inboundListeners(s *scope, id identity, into map[string]*Resource) {
	for _, in := range s.ingress {
		k := p.inboundKey(in, id)
		if k.bind == "" {
			p.report(warning(sidecarKey(s.key), "spec.ingress", fmt.Sprintf(
				"workload %s/%s has no address; no inbound listener on port %d", id.proxy.Namespace(), id.proxy.Workload, in.port)))
			continue
		}
		name := xdsmeta.ListenerName(k.bind, k.port)
		if _, taken := into[name]; taken {
			p.report(warning(sidecarKey(s.key), "spec.ingress", name+" is also an egress listener's address; the egress listener keeps it"))
			continue
		}
		into[name] = p.resources.get(k, func() *Resource {
			return p.newResource(resourcev3.ListenerType, name, inboundListener(name, k))
		})
	}
}

func (p *Push) inboundKey(in *ingressListener, id identity) inboundListenerKey {
	k := inboundListenerKey{
		bind: in.bind, port: in.port, http: in.protocol.IsHTTP(),
		workload: id.proxy.Workload, namespace: id.proxy.Namespace(),
		app: id.labels["app"], version: id.labels["version"],
	}
	k.address = id.address
	if k.bind == "" {
		k.bind = id.address
	}
	if id.workload != nil {
		k.account = id.workload.ServiceAccount
		k.service = serviceFor(p.Registry, id.workload, in.port)
	}
	return k
}

// serviceFor picks the service an inbound port serves: the first (by host)
// that sends w traffic on that port, else the first that selects w.
func serviceFor(reg *registry.Snapshot, w *registry.Workload, port uint32) string {
	services := reg.ServicesOf(w)
	for _, s := range services {
		for _, sp := range s.Ports {
			for _, e := range reg.Endpoints(s.Hostname, sp.Number) {
				if e.Workload == w && e.Port == port {
					return s.Hostname
				}
			}
		}
	}
	if len(services) > 0 {
		return services[0].Hostname
	}
	return ""
}

func inboundListener(name string, k inboundListenerKey) *listenerv3.Listener {
	cluster := xdsmeta.InboundCluster(k.port)
	var filter *listenerv3.Filter
	if k.http {
		rc := &routev3.RouteConfiguration{Name: cluster, VirtualHosts: []*routev3.VirtualHost{{
			Name:    "inbound|http|" + strconv.FormatUint(uint64(k.port), 10),
			Domains: []string{"*"},
			Routes: []*routev3.Route{{
				Name:  "default",
				Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
				Action: &routev3.Route_Route{Route: &routev3.RouteAction{
					ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: cluster},
					Timeout:          durationZero(),
				}},
			}},
		}}}
		filter = networkFilter(hcmFilterName, mustAny(inlineRoutes("inbound_"+name, rc)))
	} else {
		filter = tcpProxy(cluster)
	}
	l := listener(name, k.bind, k.port, corev3.TrafficDirection_INBOUND, filter)
	l.Metadata = &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{"istio": workloadMetadata(k)}}
	return l
}

// workloadMetadata is filter_metadata["istio"] (docs/xds.md); empty fields
// are left out.
func workloadMetadata(k inboundListenerKey) *structpb.Struct {
	fields := map[string]*structpb.Value{}
	for name, v := range map[string]string{
		"address": k.address, "workload": k.workload, "namespace": k.namespace, "service": k.service,
		"app": k.app, "version": k.version, "service_account": k.account,
	} {
		if v != "" {
			fields[name] = structpb.NewStringValue(v)
		}
	}
	return &structpb.Struct{Fields: fields}
}
