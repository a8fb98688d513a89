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

// Fetch answers a one-off (REST-style) request from the current push.
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
	c := newConn(0, false, s.log)
	c.proxy, c.seq, c.resources = p, 1, res
	sub := stream.NewSotwSubscription(req.GetResourceNames(), len(req.GetResourceNames()) == 0)
	w := &watch{sotwReq: req, sub: &sub, ch: make(chan cache.Response, 1)}
	ts := c.typeState(req.GetTypeUrl())
	ts.watch = w
	ts.sentVersion = req.GetVersionInfo()
	if !c.respondSotW(req.GetTypeUrl(), ts) {
		return nil, status.Error(codes.NotFound, "no change since version "+req.GetVersionInfo())
	}
	return <-w.ch, nil
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
