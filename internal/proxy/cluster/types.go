// Package cluster holds the proxy's plain, validated form of Envoy Clusters and
// ClusterLoadAssignments and the code that decodes them from xDS.
package cluster

import (
	"net/netip"
	"time"
)

// Discovery is how a cluster finds its endpoints.
type Discovery int

// Discovery types.
const (
	Static    Discovery = iota // inline load_assignment with IP addresses
	EDS                        // endpoints arrive as ClusterLoadAssignments
	StrictDNS                  // inline load_assignment with hostnames, re-resolved
)

// LBPolicy is the cluster's load-balancing policy.
type LBPolicy int

// Policies.
const (
	RoundRobin LBPolicy = iota
	LeastRequest
	Random
)

// Protocol is the upstream HTTP protocol.
type Protocol int

// Protocols.
const (
	HTTP1         Protocol = iota
	HTTP2                  // prior-knowledge h2c (or h2 over TLS later)
	UseDownstream          // whatever the downstream request used
)

// Config is one validated cluster.
type Config struct {
	Name           string
	Discovery      Discovery
	EDSServiceName string // for EDS: the ClusterLoadAssignment name (default Name)
	LB             LBPolicy
	// LeastRequestChoices is the P2C choice count (default 2).
	LeastRequestChoices uint32
	ConnectTimeout      time.Duration
	Protocol            Protocol
	Limits              Limits
	// IdleTimeout closes pooled upstream connections idle this long (default 1 h).
	// An xDS 0s (disabled) decodes to math.MaxInt64, which never elapses.
	IdleTimeout time.Duration
	// MaxRequestsPerConnection: 0 means unlimited.
	MaxRequestsPerConnection uint32
	// DNSRefreshRate for StrictDNS (default 5 s).
	DNSRefreshRate time.Duration
	// Endpoints is set for Static and StrictDNS clusters (hostnames unresolved).
	Endpoints *Endpoints
}

// Limits are the default-priority circuit-breaker thresholds (Envoy defaults 1024, 1024, 1024, 3).
type Limits struct {
	MaxConnections     uint32
	MaxPendingRequests uint32
	MaxRequests        uint32
	MaxRetries         uint32
}

// Endpoints is a validated ClusterLoadAssignment.
type Endpoints struct {
	ClusterName string
	Localities  []Locality
}

// Locality is a group of endpoints in one region/zone/subzone.
type Locality struct {
	Region, Zone, SubZone string
	Priority              uint32
	Weight                uint32 // 0: unset
	Endpoints             []Endpoint
}

// Endpoint is one upstream host.
type Endpoint struct {
	// Addr is set for IP endpoints; Hostname (with Port) for StrictDNS ones.
	Addr     netip.AddrPort
	Hostname string
	Port     uint16
	Weight   uint32 // default 1
	Healthy  bool   // health_status UNKNOWN or HEALTHY
}
