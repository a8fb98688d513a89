// Package registry is Loom's service registry: the services the mesh knows,
// their ports and endpoints, and the workloads behind those endpoints, held in
// one immutable Snapshot.
//
// Sources build Snapshots. Local mode derives one from ServiceEntry and
// WorkloadEntry objects (FromConfig); a Kubernetes source (Services,
// EndpointSlices, Pods) will fill the same types through a Builder. The xDS
// generator reads only Snapshots, so it never knows where a service came from.
package registry

import (
	"context"
	"strings"

	"github.com/loom-mesh/loom/internal/config"
)

// Source publishes registry Snapshots as the world changes: Kubernetes
// informers, for example. Local mode needs no Source of its own: its registry
// is a function of the config Snapshot (FromConfig).
type Source interface {
	// Run publishes a Snapshot each time the registry changes, the first one
	// as soon as the initial state is known. It blocks until ctx ends.
	// publish is called from one goroutine at a time and must not block for long.
	Run(ctx context.Context, publish func(*Snapshot)) error
}

// Resolution says how a service's endpoints are found.
type Resolution int

// Resolutions, as ServiceEntry names them.
const (
	// ResolutionStatic: endpoints are IP addresses the registry lists (EDS).
	ResolutionStatic Resolution = iota
	// ResolutionDNS: endpoints are host names the proxy resolves itself.
	ResolutionDNS
	// ResolutionNone: the proxy forwards to the address the client asked for.
	ResolutionNone
)

func (r Resolution) String() string {
	switch r {
	case ResolutionDNS:
		return "DNS"
	case ResolutionNone:
		return "NONE"
	}
	return "STATIC"
}

// Service is one host name the mesh routes to. Services are immutable.
type Service struct {
	// Hostname is fully qualified: `reviews.default.svc.cluster.local`.
	Hostname string
	// Namespace is the namespace of the object that declared the service.
	Namespace string
	// Origin is the object that declared it (a ServiceEntry in local mode).
	Origin config.Key
	// Addresses are the service's virtual IPs or CIDRs, if any.
	Addresses []string
	// Ports are sorted by number.
	Ports        []Port
	Resolution   Resolution
	MeshExternal bool
	ExportTo     ExportTo
	// Revision changes whenever any field above changes.
	Revision uint64
}

// Port returns the service port with this number.
func (s *Service) Port(number uint32) (Port, bool) {
	for _, p := range s.Ports {
		if p.Number == number {
			return p, true
		}
	}
	return Port{}, false
}

// Port is one port of a service.
type Port struct {
	Name     string
	Number   uint32
	Protocol Protocol
	// TargetPort is the endpoints' port when a workload does not name one; 0: Number.
	TargetPort uint32
}

// Endpoint is one address serving one port of a service. Endpoints are immutable.
type Endpoint struct {
	// Address is an IP address, or a host name for DNS-resolved services.
	Address string
	Port    uint32
	Labels  map[string]string
	// Locality is where the endpoint runs.
	Locality Locality
	// Weight is the endpoint's load-balancing weight, at least 1.
	Weight         uint32
	Network        string
	ServiceAccount string
	// Workload is the workload behind the endpoint; nil for an endpoint a
	// ServiceEntry lists inline.
	Workload *Workload
}

// Workload is one instance of an application (a WorkloadEntry, or a Pod).
type Workload struct {
	Namespace string
	Name      string
	Address   string
	// Ports maps port names to numbers.
	Ports          map[string]uint32
	Labels         map[string]string
	ServiceAccount string
	Locality       Locality
	// Weight is the load-balancing weight of the workload's endpoints, at least 1.
	Weight  uint32
	Network string
}

// Locality is `region/zone/subzone`.
type Locality struct {
	Region, Zone, SubZone string
}

// ParseLocality splits `region/zone/subzone`; missing parts are empty.
func ParseLocality(s string) Locality {
	parts := strings.SplitN(s, "/", 3)
	var l Locality
	l.Region = parts[0]
	if len(parts) > 1 {
		l.Zone = parts[1]
	}
	if len(parts) > 2 {
		l.SubZone = parts[2]
	}
	return l
}

func (l Locality) String() string {
	if l.SubZone != "" {
		return l.Region + "/" + l.Zone + "/" + l.SubZone
	}
	if l.Zone != "" {
		return l.Region + "/" + l.Zone
	}
	return l.Region
}

// LabelsMatch reports whether labels has every key/value of selector.
// An empty selector matches everything.
func LabelsMatch(selector, labels map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}
