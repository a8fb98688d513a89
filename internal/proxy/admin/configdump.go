package admin

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"time"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
)

// dumpRequest is what /config_dump was asked for.
type dumpRequest struct {
	includeEDS bool
	nameRegex  *regexp.Regexp // nil: every resource
}

// dumpParts builds the parts of Envoy's ConfigDump from the client's
// resources, in Envoy's order: bootstrap, clusters, endpoints (with
// include_eds), listeners, routes.
func (s *Server) dumpParts(req dumpRequest) []proto.Message {
	d := s.opts.XDS.Dump()
	st := s.opts.XDS.Status()
	pick := func(typeURL string) []xdsclient.DumpResource { return filterNames(d.Resources[typeURL], req.nameRegex) }
	parts := []proto.Message{
		s.bootstrapDump(d),
		clustersDump(pick(xdsclient.ClusterType), st.Versions[xdsclient.ClusterType]),
	}
	if req.includeEDS {
		parts = append(parts, endpointsDump(pick(xdsclient.EndpointType), pick(xdsclient.ClusterType)))
	}
	parts = append(parts,
		listenersDump(pick(xdsclient.ListenerType), st.Versions[xdsclient.ListenerType]),
		routesDump(pick(xdsclient.RouteType)))
	return parts
}

// pack wraps messages as a ConfigDump's configs.
func pack(msgs []proto.Message) (*adminv3.ConfigDump, error) {
	out := &adminv3.ConfigDump{}
	for _, m := range msgs {
		a, err := anypb.New(m)
		if err != nil {
			return nil, fmt.Errorf("config dump: %w", err)
		}
		out.Configs = append(out.Configs, a)
	}
	return out, nil
}

// errNoResource and errNotRepeated are the two ways ?resource= can be wrong.
var (
	errNoResource  = errors.New("no resource with that name")
	errNotRepeated = errors.New("not a repeated message field")
)

// selectResource returns the elements of the repeated field named field in
// whichever dump part has it, as Envoy's ?resource= does
// (e.g. dynamic_active_clusters).
func selectResource(parts []proto.Message, field string) ([]proto.Message, error) {
	for _, p := range parts {
		r := p.ProtoReflect()
		fd := r.Descriptor().Fields().ByName(protoreflect.Name(field))
		if fd == nil {
			continue
		}
		if !fd.IsList() || fd.Message() == nil {
			return nil, fmt.Errorf("%q: %w", field, errNotRepeated)
		}
		list := r.Get(fd).List()
		out := make([]proto.Message, 0, list.Len())
		for i := range list.Len() {
			out = append(out, list.Get(i).Message().Interface())
		}
		return out, nil
	}
	return nil, fmt.Errorf("%q: %w", field, errNoResource)
}

func filterNames(rs []xdsclient.DumpResource, re *regexp.Regexp) []xdsclient.DumpResource {
	if re == nil {
		return rs
	}
	var out []xdsclient.DumpResource
	for _, r := range rs {
		if re.MatchString(r.Name) {
			out = append(out, r)
		}
	}
	return out
}

// bootstrapDump describes how the proxy was started, as the bootstrap an
// Envoy would need for the same connection (docs/xds.md).
func (s *Server) bootstrapDump(d xdsclient.Dump) *adminv3.BootstrapConfigDump {
	ads := &corev3.ConfigSource{ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}}, ResourceApiVersion: corev3.ApiVersion_V3}
	b := &bootstrapv3.Bootstrap{
		Node: d.Node,
		DynamicResources: &bootstrapv3.Bootstrap_DynamicResources{
			AdsConfig: &corev3.ApiConfigSource{
				ApiType: corev3.ApiConfigSource_GRPC, TransportApiVersion: corev3.ApiVersion_V3,
				GrpcServices: []*corev3.GrpcService{{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{
					EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: xdsClusterName}}}},
			},
			CdsConfig: ads, LdsConfig: ads,
		},
		StaticResources: &bootstrapv3.Bootstrap_StaticResources{Clusters: []*clusterv3.Cluster{xdsCluster(d.ControlPlane)}},
	}
	if addr := socketAddress(s.opts.AdminAddress); addr != nil {
		b.Admin = &bootstrapv3.Admin{Address: addr}
	}
	return &adminv3.BootstrapConfigDump{Bootstrap: b, LastUpdated: timestamppb.New(s.started)}
}

const xdsClusterName = "xds-grpc"

func xdsCluster(controlPlane string) *clusterv3.Cluster {
	c := &clusterv3.Cluster{Name: xdsClusterName, ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS}}
	if addr := socketAddress(controlPlane); addr != nil {
		c.LoadAssignment = &endpointv3.ClusterLoadAssignment{ClusterName: xdsClusterName, Endpoints: []*endpointv3.LocalityLbEndpoints{{
			LbEndpoints: []*endpointv3.LbEndpoint{{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: addr}}}},
		}}}
	}
	return c
}

// socketAddress parses host:port; nil when it does not parse.
func socketAddress(hostport string) *corev3.Address {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil
	}
	p, err := strconv.ParseUint(port, 10, 32)
	if err != nil {
		return nil
	}
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: host, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: uint32(p)},
	}}}
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func errorState(r *xdsclient.DumpRejection) *adminv3.UpdateFailureState {
	if r == nil {
		return nil
	}
	return &adminv3.UpdateFailureState{FailedConfiguration: r.Resource, LastUpdateAttempt: ts(r.At), Details: r.Detail, VersionInfo: r.Version}
}

func clientStatus(r xdsclient.DumpResource) adminv3.ClientResourceStatus {
	if r.Rejected != nil {
		return adminv3.ClientResourceStatus_NACKED
	}
	return adminv3.ClientResourceStatus_ACKED
}

// latest is the version a type without warming in Envoy (routes, endpoints)
// shows: the published one, else the one still warming.
func latest(r xdsclient.DumpResource) *xdsclient.DumpVersion {
	if r.Active != nil {
		return r.Active
	}
	return r.Warming
}
