// Package xdsmeta holds the names both planes agree on: how a proxy identifies
// itself (node id and metadata) and how clusters and listeners are named.
// It is a leaf package: the control plane and the proxy may both import it,
// and it imports neither.
package xdsmeta

import (
	"fmt"
	"net/netip"
	"strings"
)

// Node metadata keys, as Istio spells them, so bootstraps written for Istio work.
const (
	// MetaNamespace is the workload's namespace. Required.
	MetaNamespace = "NAMESPACE"
	// MetaWorkloadName names the WorkloadEntry (or Pod) the proxy serves.
	// Optional: by default it is taken from the node id.
	MetaWorkloadName = "WORKLOAD_NAME"
	// MetaInterceptionMode is "NONE" (listeners bind their own addresses; Loom's
	// local mode) or "REDIRECT" (iptables capture). Loom defaults to NONE.
	MetaInterceptionMode = "INTERCEPTION_MODE"
	// MetaLabels optionally carries the workload's labels (a string map).
	MetaLabels = "LABELS"
	// MetaGenerator is "grpc" for gRPC's proxyless xDS client.
	MetaGenerator = "GENERATOR"
)

// Interception modes.
const (
	InterceptionNone     = "NONE"
	InterceptionRedirect = "REDIRECT"
)

// NodeType is the first field of a node id.
type NodeType string

// Node types.
const (
	NodeSidecar NodeType = "sidecar"
	NodeRouter  NodeType = "router" // gateways
)

// NodeID is a parsed xDS node id:
// `<type>~<ip>~<workload>.<namespace>~<namespace>.svc.cluster.local`.
type NodeID struct {
	Type      NodeType
	IP        netip.Addr
	Workload  string
	Namespace string
	// DNSDomain is the fourth field, `<namespace>.svc.cluster.local` by default.
	DNSDomain string
}

// String renders the id in Istio's form.
func (n NodeID) String() string {
	domain := n.DNSDomain
	if domain == "" {
		domain = n.Namespace + ".svc.cluster.local"
	}
	return fmt.Sprintf("%s~%s~%s.%s~%s", n.Type, n.IP, n.Workload, n.Namespace, domain)
}

// ParseNodeID parses an Istio-style node id. The namespace is taken from the
// third field's last dot-separated part when the caller has no NAMESPACE metadata.
func ParseNodeID(id string) (NodeID, error) {
	parts := strings.Split(id, "~")
	if len(parts) != 4 {
		return NodeID{}, fmt.Errorf("node id %q: want 4 fields separated by '~' (type~ip~workload.namespace~domain), got %d", id, len(parts))
	}
	var n NodeID
	switch NodeType(parts[0]) {
	case NodeSidecar, NodeRouter:
		n.Type = NodeType(parts[0])
	default:
		return NodeID{}, fmt.Errorf("node id %q: type %q: must be %q or %q", id, parts[0], NodeSidecar, NodeRouter)
	}
	ip, err := netip.ParseAddr(parts[1])
	if err != nil {
		return NodeID{}, fmt.Errorf("node id %q: ip %q: %w", id, parts[1], err)
	}
	n.IP = ip
	dot := strings.LastIndexByte(parts[2], '.')
	if dot <= 0 || dot == len(parts[2])-1 {
		return NodeID{}, fmt.Errorf("node id %q: %q: want <workload>.<namespace>", id, parts[2])
	}
	n.Workload, n.Namespace = parts[2][:dot], parts[2][dot+1:]
	n.DNSDomain = parts[3]
	return n, nil
}
