package xdsserver

import (
	"context"

	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/stream/v3"
)

// Server is go-control-plane's Cache: its gRPC server calls these methods.
var _ cache.Cache = (*Server)(nil)

// CreateWatch opens a state-of-the-world watch. go-control-plane calls it for
// every request it accepts (first request, ACK, NACK, new names), right after
// OnStreamRequest registered the request's stream.
func (s *Server) CreateWatch(req *discovery.DiscoveryRequest, sub cache.Subscription, ch chan cache.Response) (func(), error) {
	c := s.takePending(req)
	if c == nil {
		return nil, status.Errorf(codes.Internal, "%s request without a stream", req.GetTypeUrl())
	}
	return c.openWatch(req.GetTypeUrl(), &watch{sotwReq: req, sub: sub, ch: ch}), nil
}

// CreateDeltaWatch opens an incremental watch; see CreateWatch.
func (s *Server) CreateDeltaWatch(req *discovery.DeltaDiscoveryRequest, sub cache.Subscription, ch chan cache.DeltaResponse) (func(), error) {
	c := s.takePending(req)
	if c == nil {
		return nil, status.Errorf(codes.Internal, "%s request without a stream", req.GetTypeUrl())
	}
	return c.openWatch(req.GetTypeUrl(), &watch{deltaReq: req, sub: sub, deltaCh: ch}), nil
}

// Fetch answers a one-off (REST-style) request from the current push: the
// resources it names (all for an empty list), unless their version is the
// one it says it has.
func (s *Server) Fetch(_ context.Context, req *discovery.DiscoveryRequest) (cache.Response, error) {
	p, err := ParseNode(req.GetNode())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	s.mu.RLock()
	gen := s.gen
	s.mu.RUnlock()
	if gen == nil {
		return nil, status.Error(codes.Unavailable, "no configuration yet")
	}
	res, ok := s.generate(gen, p)
	if !ok {
		return nil, status.Error(codes.Internal, "xDS generation failed")
	}
	sub := stream.NewSotwSubscription(req.GetResourceNames(), len(req.GetResourceNames()) == 0)
	var entries []entry
	var v setVersion
	for _, r := range selected(res[req.GetTypeUrl()], &sub) {
		if e, ok := entryOf(r, s.log); ok {
			entries = append(entries, e)
			v.addHash(e.hash)
		}
	}
	if v.String() == req.GetVersionInfo() {
		return nil, status.Error(codes.NotFound, "no change since version "+req.GetVersionInfo())
	}
	sortEntries(entries)
	out := &discovery.DiscoveryResponse{VersionInfo: v.String(), TypeUrl: req.GetTypeUrl(), Resources: anysOf(entries)}
	return &sotwResponse{req: req, out: out, ctx: context.Background()}, nil
}

// takePending returns the stream a request arrived on.
func (s *Server) takePending(req any) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.pending[req]
	delete(s.pending, req)
	if c != nil {
		c.mu.Lock()
		if c.pending == req {
			c.pending = nil
		}
		c.mu.Unlock()
	}
	return c
}
