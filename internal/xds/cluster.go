package xds

import (
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// clusterKey is everything an outbound cluster is built from.
type clusterKey struct {
	name        string
	svcRevision uint64
	epRevision  uint64 // DNS clusters carry their endpoints inline
	rule        string // the DestinationRule's key and revision; "" for none
}

// loadAssignmentKey is everything a ClusterLoadAssignment is built from: a
// change to one subset's endpoints leaves the other subsets' alone.
type loadAssignmentKey struct {
	name      string
	endpoints uint64 // fingerprint of the (subset's) endpoints
}

// serviceClustersKey identifies the clusters of one service port under one
// DestinationRule (or none); scopes of one push share them.
type serviceClustersKey struct {
	svc  *registry.Service
	port uint32
	dr   *destinationRule
}

// serviceClusters are the clusters (and load assignments, for EDS) of one
// service port: the plain one and one per subset.
type serviceClusters struct {
	clusters  []*Resource
	endpoints []*Resource
}

// addServiceClusters adds the clusters of one service port under the
// DestinationRule that applies for the scope's namespace.
func (p *Push) addServiceClusters(s *scope, svc *registry.Service, port registry.Port, ns string) {
	if _, done := s.clusters[xdsmeta.OutboundCluster(svc.Hostname, port.Number, "")]; done {
		return
	}
	dr := p.dr.lookup(svc.Hostname, ns, svc.Namespace, RootNamespace)
	sc := p.serviceClusters.get(serviceClustersKey{svc, port.Number, dr}, func() *serviceClusters {
		out := &serviceClusters{}
		p.buildCluster(out, svc, port, dr, nil)
		for _, sub := range dr.subsets() {
			p.buildCluster(out, svc, port, dr, sub)
		}
		return out
	})
	for _, r := range sc.clusters {
		s.clusters[r.Name] = r
	}
	for _, r := range sc.endpoints {
		s.endpoints[r.Name] = r
	}
}

func (p *Push) buildCluster(out *serviceClusters, svc *registry.Service, port registry.Port, dr *destinationRule, subset *v1alpha3.Subset) {
	name := xdsmeta.OutboundCluster(svc.Hostname, port.Number, subset.GetName())
	rule := ruleRef(dr)
	k := clusterKey{name: name, svcRevision: svc.Revision, rule: rule}
	if svc.Resolution == registry.ResolutionDNS {
		k.epRevision = p.Registry.EndpointsRevision(svc.Hostname, port.Number)
	}
	out.clusters = append(out.clusters, p.resources.get(k, func() *Resource {
		return p.newResource(resourcev3.ClusterType, name, p.renderCluster(name, svc, port, dr, subset))
	}))
	if svc.Resolution != registry.ResolutionStatic {
		return
	}
	eps := subsetEndpoints(p.Registry.Endpoints(svc.Hostname, port.Number), subset.GetLabels())
	out.endpoints = append(out.endpoints, p.resources.get(loadAssignmentKey{name: name, endpoints: endpointsFingerprint(eps)}, func() *Resource {
		return p.newResource(resourcev3.EndpointType, name, loadAssignment(name, eps, nil, true))
	}))
}

func ruleRef(dr *destinationRule) string {
	if dr == nil {
		return ""
	}
	return dr.ref
}

func (p *Push) renderCluster(name string, svc *registry.Service, port registry.Port, dr *destinationRule, subset *v1alpha3.Subset) *clusterv3.Cluster {
	tp := effectivePolicy(dr, subset, port.Number)
	c := &clusterv3.Cluster{
		Name:            name,
		ConnectTimeout:  tp.connectTimeout(),
		LbPolicy:        tp.lbPolicy(),
		CircuitBreakers: tp.circuitBreakers(),
	}
	if svc.Resolution == registry.ResolutionDNS {
		c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS}
		c.LoadAssignment = loadAssignment(name, dnsEndpoints(svc, port, p.Registry), subset.GetLabels(), false)
	} else {
		c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS}
		c.EdsClusterConfig = &clusterv3.Cluster_EdsClusterConfig{EdsConfig: adsSource(), ServiceName: name}
	}
	if port.Protocol.IsHTTP() {
		c.TypedExtensionProtocolOptions = map[string]*anyMessage{httpProtocolOptionsKey: mustAny(tp.httpOptions(port.Protocol))}
	}
	return c
}

// dnsEndpoints are a DNS service's endpoints, or, when it lists none, the
// service's own host name.
func dnsEndpoints(svc *registry.Service, port registry.Port, reg *registry.Snapshot) []*registry.Endpoint {
	if eps := reg.Endpoints(svc.Hostname, port.Number); len(eps) > 0 {
		return eps
	}
	target := port.TargetPort
	if target == 0 {
		target = port.Number
	}
	return []*registry.Endpoint{{Address: svc.Hostname, Port: target, Weight: 1}}
}
