package xdsclient

import (
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/proto"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// Type URLs of the resources the proxy subscribes to.
const (
	ClusterType  = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	EndpointType = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
	ListenerType = "type.googleapis.com/envoy.config.listener.v3.Listener"
	RouteType    = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
)

// kind describes one resource type: how to decode it and how it is subscribed.
type kind struct {
	typeURL string
	// short names the type in NACK details: `cluster outbound|...: reason`.
	short string
	// wildcard types (CDS, LDS) receive every resource; the others are
	// subscribed by name.
	wildcard bool
	newMsg   func() proto.Message
	// decode validates and converts; the error is already prefixed with the
	// short type and the resource name.
	decode func(proto.Message) (any, error)
	// name reads the resource name from the decoded message.
	name func(proto.Message) string
}

// kinds in the order Envoy subscribes and warms them: CDS, EDS, LDS, RDS.
var kinds = []*kind{
	{
		typeURL: ClusterType, short: "cluster", wildcard: true,
		newMsg: func() proto.Message { return &clusterv3.Cluster{} },
		decode: func(m proto.Message) (any, error) { return cluster.Decode(m.(*clusterv3.Cluster)) },
		name:   func(m proto.Message) string { return m.(*clusterv3.Cluster).GetName() },
	},
	{
		typeURL: EndpointType, short: "endpoints",
		newMsg: func() proto.Message { return &endpointv3.ClusterLoadAssignment{} },
		decode: func(m proto.Message) (any, error) {
			return cluster.DecodeEndpoints(m.(*endpointv3.ClusterLoadAssignment))
		},
		name: func(m proto.Message) string { return m.(*endpointv3.ClusterLoadAssignment).GetClusterName() },
	},
	{
		typeURL: ListenerType, short: "listener", wildcard: true,
		newMsg: func() proto.Message { return &listenerv3.Listener{} },
		decode: func(m proto.Message) (any, error) { return listener.Decode(m.(*listenerv3.Listener)) },
		name:   func(m proto.Message) string { return m.(*listenerv3.Listener).GetName() },
	},
	{
		typeURL: RouteType, short: "route",
		newMsg: func() proto.Message { return &routev3.RouteConfiguration{} },
		decode: func(m proto.Message) (any, error) { return route.Decode(m.(*routev3.RouteConfiguration)) },
		name:   func(m proto.Message) string { return m.(*routev3.RouteConfiguration).GetName() },
	},
}

// kindOf finds the kind of a type URL; nil for types the proxy never asked for.
func kindOf(typeURL string) *kind {
	for _, k := range kinds {
		if k.typeURL == typeURL {
			return k
		}
	}
	return nil
}
