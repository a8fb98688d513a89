package xdsclient

import (
	"context"
	"fmt"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// request is what the client asks for on one type, transport-neutral.
type request struct {
	typeURL string
	// names is the full set of subscribed names (nil for wildcard types).
	names []string
	// nonce and version answer a response ("" for a first request).
	nonce   string
	version string
	// nack, when set, rejects the response with this detail.
	nack error
	// known are the resources held, name → version, for a delta stream's
	// first request of the type (initial_resource_versions).
	known map[string]string
}

// response is one DiscoveryResponse or DeltaDiscoveryResponse.
type response struct {
	typeURL string
	nonce   string
	update  update // kind unset until the session resolves typeURL
}

// transport is one ADS stream, either protocol.
type transport interface {
	send(request) error
	recv() (response, error)
}

// openStream starts an ADS stream of the configured protocol on conn.
func (c *Client) openStream(ctx context.Context, conn *grpc.ClientConn) (transport, error) {
	ads := discoveryv3.NewAggregatedDiscoveryServiceClient(conn)
	if c.cfg.Delta {
		s, err := ads.DeltaAggregatedResources(ctx)
		if err != nil {
			return nil, fmt.Errorf("open delta ADS stream: %w", err)
		}
		return &deltaStream{stream: s, node: c.node, sent: map[string]map[string]bool{}}, nil
	}
	s, err := ads.StreamAggregatedResources(ctx)
	if err != nil {
		return nil, fmt.Errorf("open ADS stream: %w", err)
	}
	return &sotwStream{stream: s, node: c.node}, nil
}

// errorDetail is a NACK's error_detail; Envoy uses code INTERNAL.
func errorDetail(err error) *status.Status {
	if err == nil {
		return nil
	}
	return &status.Status{Code: int32(codes.Internal), Message: err.Error()}
}

// sotwStream speaks StreamAggregatedResources.
type sotwStream struct {
	stream   discoveryv3.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	node     *corev3.Node
	sentNode bool
}

func (s *sotwStream) send(r request) error {
	req := &discoveryv3.DiscoveryRequest{
		VersionInfo:   r.version,
		ResourceNames: r.names,
		TypeUrl:       r.typeURL,
		ResponseNonce: r.nonce,
		ErrorDetail:   errorDetail(r.nack),
	}
	if !s.sentNode {
		req.Node, s.sentNode = s.node, true
	}
	return s.stream.Send(req)
}

func (s *sotwStream) recv() (response, error) {
	resp, err := s.stream.Recv()
	if err != nil {
		return response{}, err
	}
	u := update{version: resp.GetVersionInfo()}
	for _, r := range resp.GetResources() {
		u.resources = append(u.resources, resource{raw: r})
	}
	if k := kindOf(resp.GetTypeUrl()); k != nil {
		u.full = k.wildcard // LDS and CDS responses carry the full state
	}
	return response{typeURL: resp.GetTypeUrl(), nonce: resp.GetNonce(), update: u}, nil
}

// deltaStream speaks DeltaAggregatedResources; it turns full subscription
// sets into subscribe/unsubscribe differences.
type deltaStream struct {
	stream   discoveryv3.AggregatedDiscoveryService_DeltaAggregatedResourcesClient
	node     *corev3.Node
	sentNode bool
	sent     map[string]map[string]bool // type URL → subscribed names
}

func (s *deltaStream) send(r request) error {
	req := &discoveryv3.DeltaDiscoveryRequest{
		TypeUrl:       r.typeURL,
		ResponseNonce: r.nonce,
		ErrorDetail:   errorDetail(r.nack),
	}
	if !s.sentNode {
		req.Node, s.sentNode = s.node, true
	}
	prev, started := s.sent[r.typeURL]
	if !started {
		req.InitialResourceVersions = r.known
		prev = map[string]bool{}
	}
	next := map[string]bool{}
	for _, n := range r.names {
		next[n] = true
		if !prev[n] {
			req.ResourceNamesSubscribe = append(req.ResourceNamesSubscribe, n)
		}
	}
	for n := range prev {
		if !next[n] {
			req.ResourceNamesUnsubscribe = append(req.ResourceNamesUnsubscribe, n)
		}
	}
	s.sent[r.typeURL] = next
	return s.stream.Send(req)
}

func (s *deltaStream) recv() (response, error) {
	resp, err := s.stream.Recv()
	if err != nil {
		return response{}, err
	}
	u := update{version: resp.GetSystemVersionInfo(), removed: resp.GetRemovedResources()}
	for _, r := range resp.GetResources() {
		u.resources = append(u.resources, resource{name: r.GetName(), version: r.GetVersion(), raw: r.GetResource()})
	}
	return response{typeURL: resp.GetTypeUrl(), nonce: resp.GetNonce(), update: u}, nil
}
