package registry

import (
	"cmp"
	"net/netip"
	"slices"
)

// HostPort names the endpoints of one service port.
type HostPort struct {
	Host string
	Port uint32
}

// WorkloadKey names a workload.
type WorkloadKey struct {
	Namespace, Name string
}

// Snapshot is an immutable registry: services, their endpoints and the
// workloads behind them, with indexes. Safe for concurrent use. Callers must
// not modify anything it returns.
type Snapshot struct {
	services   []*Service
	byHost     map[string]*Service
	endpoints  map[HostPort][]*Endpoint
	epRevision map[HostPort]uint64
	workloads  map[WorkloadKey]*Workload
	byWorkload map[WorkloadKey][]*Service
}

// Services returns every service, sorted by host name.
func (s *Snapshot) Services() []*Service {
	if s == nil {
		return nil
	}
	return s.services
}

// Service returns the service with this fully qualified host name, or nil.
func (s *Snapshot) Service(host string) *Service {
	if s == nil {
		return nil
	}
	return s.byHost[host]
}

// Endpoints returns the endpoints of one service port, sorted by address
// then port.
func (s *Snapshot) Endpoints(host string, port uint32) []*Endpoint {
	if s == nil {
		return nil
	}
	return s.endpoints[HostPort{host, port}]
}

// EndpointsRevision changes whenever the endpoints of a service port change.
func (s *Snapshot) EndpointsRevision(host string, port uint32) uint64 {
	if s == nil {
		return 0
	}
	return s.epRevision[HostPort{host, port}]
}

// Workload returns a workload by namespace and name, or nil.
func (s *Snapshot) Workload(namespace, name string) *Workload {
	if s == nil {
		return nil
	}
	return s.workloads[WorkloadKey{namespace, name}]
}

// ServicesOf returns the services that have w as an endpoint, sorted by host.
func (s *Snapshot) ServicesOf(w *Workload) []*Service {
	if s == nil || w == nil {
		return nil
	}
	return s.byWorkload[WorkloadKey{w.Namespace, w.Name}]
}

// Builder collects services, endpoints and workloads into a Snapshot. Every
// Source uses one. A Builder is not safe for concurrent use.
type Builder struct {
	services  []*Service
	byHost    map[string]*Service
	endpoints map[HostPort][]*Endpoint
	workloads map[WorkloadKey]*Workload
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{
		byHost:    make(map[string]*Service),
		endpoints: make(map[HostPort][]*Endpoint),
		workloads: make(map[WorkloadKey]*Workload),
	}
}

// AddService adds s unless a service with its host name is already there;
// it returns the service that holds the name. s's ports are sorted and its
// Revision set here; s must not be modified afterwards.
func (b *Builder) AddService(s *Service) *Service {
	if held := b.byHost[s.Hostname]; held != nil {
		return held
	}
	slices.SortFunc(s.Ports, func(a, b Port) int { return cmp.Compare(a.Number, b.Number) })
	s.Revision = serviceRevision(s)
	b.byHost[s.Hostname] = s
	b.services = append(b.services, s)
	return s
}

// AddEndpoint adds an endpoint of the service port host:port.
func (b *Builder) AddEndpoint(host string, port uint32, e *Endpoint) {
	hp := HostPort{host, port}
	b.endpoints[hp] = append(b.endpoints[hp], e)
}

// AddWorkload adds w, replacing any workload of the same namespace and name.
func (b *Builder) AddWorkload(w *Workload) {
	b.workloads[WorkloadKey{w.Namespace, w.Name}] = w
}

// Build sorts, indexes and returns the Snapshot. The Builder must not be used
// afterwards.
func (b *Builder) Build() *Snapshot {
	s := &Snapshot{
		services:   b.services,
		byHost:     b.byHost,
		endpoints:  b.endpoints,
		epRevision: make(map[HostPort]uint64, len(b.endpoints)),
		workloads:  b.workloads,
		byWorkload: make(map[WorkloadKey][]*Service),
	}
	slices.SortFunc(s.services, func(a, b *Service) int { return cmp.Compare(a.Hostname, b.Hostname) })
	for hp, eps := range s.endpoints {
		slices.SortFunc(eps, compareEndpoints)
		s.epRevision[hp] = endpointsRevision(eps)
	}
	for _, svc := range s.services {
		s.indexWorkloads(svc)
	}
	return s
}

// indexWorkloads records svc against each workload among its endpoints.
func (s *Snapshot) indexWorkloads(svc *Service) {
	seen := map[WorkloadKey]bool{}
	for _, p := range svc.Ports {
		for _, e := range s.endpoints[HostPort{svc.Hostname, p.Number}] {
			if e.Workload == nil {
				continue
			}
			k := WorkloadKey{e.Workload.Namespace, e.Workload.Name}
			if !seen[k] {
				seen[k] = true
				s.byWorkload[k] = append(s.byWorkload[k], svc)
			}
		}
	}
}

// compareEndpoints orders IP addresses numerically (127.0.0.2 before
// 127.0.0.10), then host names, then ports.
func compareEndpoints(a, b *Endpoint) int {
	if c := compareAddresses(a.Address, b.Address); c != 0 {
		return c
	}
	return cmp.Compare(a.Port, b.Port)
}

func compareAddresses(a, b string) int {
	ipa, erra := netip.ParseAddr(a)
	ipb, errb := netip.ParseAddr(b)
	switch {
	case erra == nil && errb == nil:
		return ipa.Compare(ipb)
	case erra == nil:
		return -1
	case errb == nil:
		return 1
	}
	return cmp.Compare(a, b)
}
