package xdsmeta

import (
	"fmt"
	"strconv"
	"strings"
)

// Names of the listeners Istio creates for captured traffic.
const (
	VirtualOutboundListener = "virtualOutbound"
	VirtualInboundListener  = "virtualInbound"
)

// TrafficDirection of a cluster name.
type TrafficDirection string

// Directions.
const (
	Inbound  TrafficDirection = "inbound"
	Outbound TrafficDirection = "outbound"
)

// ClusterName is a parsed Istio cluster name: `outbound|9080|v1|reviews.default.svc.cluster.local`
// or `inbound|9080||`.
type ClusterName struct {
	Direction TrafficDirection
	Port      uint32
	Subset    string
	Host      string
}

// String renders the name as Istio does.
func (c ClusterName) String() string {
	return string(c.Direction) + "|" + strconv.FormatUint(uint64(c.Port), 10) + "|" + c.Subset + "|" + c.Host
}

// OutboundCluster names the cluster for a service host, port and subset ("" for none).
func OutboundCluster(host string, port uint32, subset string) string {
	return ClusterName{Direction: Outbound, Port: port, Subset: subset, Host: host}.String()
}

// InboundCluster names the cluster for a workload's inbound port.
func InboundCluster(port uint32) string {
	return ClusterName{Direction: Inbound, Port: port}.String()
}

// ParseClusterName parses `direction|port|subset|host`.
func ParseClusterName(name string) (ClusterName, error) {
	parts := strings.Split(name, "|")
	if len(parts) != 4 {
		return ClusterName{}, fmt.Errorf("cluster name %q: want direction|port|subset|host", name)
	}
	dir := TrafficDirection(parts[0])
	if dir != Inbound && dir != Outbound {
		return ClusterName{}, fmt.Errorf("cluster name %q: direction %q: must be inbound or outbound", name, parts[0])
	}
	port, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return ClusterName{}, fmt.Errorf("cluster name %q: port %q: %w", name, parts[1], err)
	}
	return ClusterName{Direction: dir, Port: uint32(port), Subset: parts[2], Host: parts[3]}, nil
}

// ListenerName names a listener bound to an address: `127.0.0.1_9080`.
func ListenerName(bind string, port uint32) string {
	return bind + "_" + strconv.FormatUint(uint64(port), 10)
}
