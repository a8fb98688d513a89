package xdsserver

import (
	"context"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Server receives go-control-plane's stream callbacks: they tell which stream
// a request belongs to, and carry ACKs, NACKs and the nonces sent.
var _ serverv3.Callbacks = (*Server)(nil)

// OnStreamOpen registers a state-of-the-world ADS stream.
func (s *Server) OnStreamOpen(ctx context.Context, id int64, _ string) error {
	s.addConn(newConn(ctx, id, false, s.log))
	return nil
}

// OnDeltaStreamOpen registers a delta ADS stream.
func (s *Server) OnDeltaStreamOpen(ctx context.Context, id int64, _ string) error {
	s.addConn(newConn(ctx, id, true, s.log))
	return nil
}

// OnStreamClosed forgets a stream.
func (s *Server) OnStreamClosed(id int64, _ *core.Node) { s.removeConn(streamKey{id: id}) }

// OnDeltaStreamClosed forgets a stream.
func (s *Server) OnDeltaStreamClosed(id int64, _ *core.Node) {
	s.removeConn(streamKey{id: id, delta: true})
}

// OnStreamRequest identifies the proxy on its first request, records ACKs and
// NACKs, and remembers the stream for the CreateWatch call that follows.
func (s *Server) OnStreamRequest(id int64, req *discovery.DiscoveryRequest) error {
	return s.onRequest(streamKey{id: id}, req.GetNode(), req, request{
		typeURL: req.GetTypeUrl(), nonce: req.GetResponseNonce(),
		version: req.GetVersionInfo(), nack: req.GetErrorDetail(), names: req.GetResourceNames(),
	})
}

// OnStreamDeltaRequest is OnStreamRequest for delta streams.
func (s *Server) OnStreamDeltaRequest(id int64, req *discovery.DeltaDiscoveryRequest) error {
	return s.onRequest(streamKey{id: id, delta: true}, req.GetNode(), req, request{
		typeURL: req.GetTypeUrl(), nonce: req.GetResponseNonce(), nack: req.GetErrorDetail(),
		delta: true, deltaChange: changesDelta(req),
	})
}

// OnStreamResponse records the version and nonce sent.
func (s *Server) OnStreamResponse(_ context.Context, id int64, _ *discovery.DiscoveryRequest, resp *discovery.DiscoveryResponse) {
	if c := s.connByStream(streamKey{id: id}); c != nil {
		c.recordSent(resp.GetTypeUrl(), resp.GetVersionInfo(), resp.GetNonce(), func(ts *typeState) bool {
			return ts.pending.out == resp
		})
	}
}

// OnStreamDeltaResponse records the version and nonce sent.
func (s *Server) OnStreamDeltaResponse(id int64, _ *discovery.DeltaDiscoveryRequest, resp *discovery.DeltaDiscoveryResponse) {
	if c := s.connByStream(streamKey{id: id, delta: true}); c != nil {
		c.recordSent(resp.GetTypeUrl(), resp.GetSystemVersionInfo(), resp.GetNonce(), func(ts *typeState) bool {
			return ts.pending.deltaOut == resp
		})
	}
}

// OnFetchRequest accepts REST fetches (not served over gRPC by Loom).
func (s *Server) OnFetchRequest(context.Context, *discovery.DiscoveryRequest) error { return nil }

// OnFetchResponse does nothing.
func (s *Server) OnFetchResponse(*discovery.DiscoveryRequest, *discovery.DiscoveryResponse) {}

// request is what Loom reads from a SotW or delta request.
type request struct {
	typeURL, nonce, version string // version: SotW only
	nack                    *rpcstatus.Status
	names                   []string // SotW: the resource names asked for
	delta                   bool
	deltaChange             bool // delta: names subscribed or unsubscribed
}

func (s *Server) onRequest(key streamKey, node *core.Node, raw any, r request) error {
	c := s.connByStream(key)
	if c == nil {
		return status.Errorf(codes.Internal, "stream %v is not registered", key)
	}
	if err := s.identify(c, node); err != nil {
		return err
	}
	c.recordRequest(r)
	s.setPending(c, raw)
	return nil
}

// identify parses the node on a stream's first request, registers the proxy
// and generates its resources from the current push.
func (s *Server) identify(c *conn, node *core.Node) error {
	c.mu.Lock()
	known := c.proxy != nil
	c.mu.Unlock()
	if known {
		return nil
	}
	p, err := ParseNode(node)
	if err != nil {
		s.log.Warn("rejecting xDS stream with an invalid node", "node", node.GetId(), "error", err)
		return status.Errorf(codes.InvalidArgument, "invalid xDS node: %v", err)
	}
	c.mu.Lock()
	c.proxy, c.nodeID = p, node.GetId()
	c.log = s.log.With("proxy", c.nodeID)
	c.mu.Unlock()
	c.log.Info("proxy connected", "workload", p.ID.Namespace+"/"+p.Workload, "delta", c.delta)
	if err := s.gate.enter(c.ctx, c); err != nil {
		return status.FromContextError(err).Err()
	}
	s.mu.RLock()
	gen, seq, memo := s.gen, s.seq, s.memo
	s.mu.RUnlock()
	if gen != nil {
		s.genSem <- struct{}{}
		res, ok := s.generate(gen, p)
		<-s.genSem
		if ok {
			c.apply(res, seq, memo)
		}
	}
	return nil
}

// recordRequest notes an ACK or NACK of the last response of a type.
func (c *conn) recordRequest(r request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.typeState(r.typeURL)
	ts.beforeRequest(r)
	if r.nonce == "" || r.nonce != ts.sentNonce {
		return // first request of the type, or about a superseded response
	}
	if r.nack != nil {
		ts.lastNACK = &NACK{Version: ts.sentVersion, Nonce: r.nonce, Message: r.nack.GetMessage(), At: time.Now()}
		c.log.Warn("proxy rejected xDS config (NACK)", "type", shortType(r.typeURL),
			"version", ts.sentVersion, "error", r.nack.GetMessage())
		return
	}
	if r.version != "" {
		ts.ackedVersion = r.version
	} else {
		ts.ackedVersion = ts.sentVersion // delta: the ACK names the nonce only
	}
	ts.ackedAt = time.Now()
}

// recordSent notes a response going out; isPending tells whether it is the
// one last built. Once it is, the stream holds what it was built from.
func (c *conn) recordSent(typeURL, version, nonce string, isPending func(*typeState) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.typeState(typeURL)
	ts.sentVersion, ts.sentNonce, ts.sentAt = version, nonce, time.Now()
	if isPending(ts) {
		ts.held = ts.pending.held
		// Keep what "answered" needs, not the response: gRPC has it now.
		ts.sent, ts.pending = pendingResponse{seq: ts.pending.seq, names: ts.pending.names}, pendingResponse{}
		return
	}
	// Not the last one built: a delta response queued before the one built
	// after it (which is sent next and settles held), or a bug. What it was
	// built from is unknown; a state-of-the-world stream is then assumed to
	// hold nothing, so the next response carries everything selected.
	ts.sent = pendingResponse{}
	if !c.delta {
		ts.held = held{}
	}
}
