package xdsserver

import (
	"context"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"

	"github.com/loom-mesh/loom/internal/xds"
)

// respondSotW answers a state-of-the-world watch. Wildcard types (CDS, LDS)
// carry the full set, as the protocol requires, whenever its version differs
// from the one last sent; the others (EDS, RDS) carry only the resources the
// proxy asked for that differ from what the stream holds, as the protocol
// allows for them: an endpoint change sends one assignment, not every one
// the proxy watches.
func (c *conn) respondSotW(typeURL string, ts *typeState) {
	w := ts.watch
	cur := c.resources[typeURL]
	if w.sub.IsWildcard() {
		c.respondSotWFull(typeURL, ts, cur)
		return
	}
	p := ts.held.plan(cur, w.sub, ts.force, c.memo)
	if len(p.send) == 0 {
		// Nothing new for the names asked for (SotW never names removals
		// of these types).
		ts.held = ts.held.settled(cur, p)
		return
	}
	out := &discovery.DiscoveryResponse{VersionInfo: p.version.String(), TypeUrl: typeURL, Resources: anysOf(p.send)}
	c.hand(ts, &sotwResponse{req: w.sotwReq, out: out, ctx: c.contextFor()}, nil,
		pendingResponse{out: out, held: held{from: cur, version: p.version}})
}

// respondSotWFull sends a wildcard type's whole set, shared by every proxy
// given the same map. go-control-plane records nothing held for it.
func (c *conn) respondSotWFull(typeURL string, ts *typeState, cur map[string]*xds.Resource) {
	full := c.memo.full(cur)
	if full.version == ts.sentVersion && len(ts.force) == 0 {
		return
	}
	out := &discovery.DiscoveryResponse{VersionInfo: full.version, TypeUrl: typeURL, Resources: full.anys}
	c.hand(ts, &sotwResponse{req: ts.watch.sotwReq, out: out, ctx: c.contextFor()}, nil, pendingResponse{out: out})
}

// respondDelta sends the resources whose version differs from what the
// proxy holds (or that are forced) and the names it holds that are gone. The
// first response of a wildcard type is sent even if empty: it tells the
// proxy it has everything.
func (c *conn) respondDelta(typeURL string, ts *typeState) {
	w := ts.watch
	cur := c.resources[typeURL]
	p := ts.held.plan(cur, w.sub, ts.force, c.memo)
	if p.empty() && (ts.sentNonce != "" || !w.sub.IsWildcard()) {
		ts.held = ts.held.settled(cur, p)
		return
	}
	out := make([]*discovery.Resource, len(p.send))
	for i, e := range p.send {
		out[i] = &discovery.Resource{Name: e.name, Version: e.version, Resource: e.any}
	}
	resp := &deltaResponse{
		req: w.deltaReq,
		out: &discovery.DeltaDiscoveryResponse{
			SystemVersionInfo: p.version.String(), TypeUrl: typeURL, Resources: out, RemovedResources: p.removed,
		},
		ctx: c.contextFor(),
	}
	c.hand(ts, nil, resp, pendingResponse{deltaOut: resp.out, held: held{from: cur, version: p.version}})
}

// hand gives a response to go-control-plane and records it as pending: the
// watch is answered, and the forced names travel with the response.
func (c *conn) hand(ts *typeState, r cache.Response, d cache.DeltaResponse, pr pendingResponse) {
	w := ts.watch
	if !c.send(w, r, d) {
		return
	}
	pr.seq, pr.force = c.seq, ts.force
	if w.sotwReq != nil {
		pr.names = w.sotwReq.GetResourceNames()
	}
	ts.pending, ts.watch, ts.force = pr, nil, nil
}

// send hands a response to go-control-plane without blocking: the channel
// holds one slot per type and a type has at most one response in flight, so
// a full channel means a bug; the watch then stays open and the next push
// retries.
func (c *conn) send(w *watch, r cache.Response, d cache.DeltaResponse) bool {
	if w.ch != nil {
		select {
		case w.ch <- r:
			return true
		default:
		}
	} else {
		select {
		case w.deltaCh <- d:
			return true
		default:
		}
	}
	c.log.Error("xDS response channel full; response deferred to the next push", "stream", c.streamID)
	return false
}

// sotwResponse is a state-of-the-world response built from shared Anys.
type sotwResponse struct {
	req *discovery.DiscoveryRequest
	out *discovery.DiscoveryResponse
	ctx context.Context
}

var _ cache.Response = (*sotwResponse)(nil)

func (r *sotwResponse) GetDiscoveryResponse() (*discovery.DiscoveryResponse, error) {
	return r.out, nil
}
func (r *sotwResponse) GetRequest() *discovery.DiscoveryRequest { return r.req }
func (r *sotwResponse) GetVersion() (string, error)             { return r.out.VersionInfo, nil }
func (r *sotwResponse) GetResponseVersion() string              { return r.out.VersionInfo }
func (r *sotwResponse) GetContext() context.Context             { return r.ctx }

// GetReturnedResources is nil: go-control-plane would record in it what the
// stream holds and hand it back with the next watch, but Loom keeps that
// itself (typeState.held) without a map per proxy and response.
func (r *sotwResponse) GetReturnedResources() map[string]string { return nil }

// deltaResponse is an incremental response built from shared Anys.
type deltaResponse struct {
	req *discovery.DeltaDiscoveryRequest
	out *discovery.DeltaDiscoveryResponse
	ctx context.Context
}

var _ cache.DeltaResponse = (*deltaResponse)(nil)

func (r *deltaResponse) GetDeltaDiscoveryResponse() (*discovery.DeltaDiscoveryResponse, error) {
	return r.out, nil
}
func (r *deltaResponse) GetDeltaRequest() *discovery.DeltaDiscoveryRequest { return r.req }
func (r *deltaResponse) GetSystemVersion() (string, error)                 { return r.out.SystemVersionInfo, nil }
func (r *deltaResponse) GetResponseVersion() string                        { return r.out.SystemVersionInfo }

// GetNextVersionMap is what go-control-plane records as held, and updates
// on the next requests' unsubscriptions. Loom keeps what is held itself
// (typeState.held); the fresh empty map collects only go-control-plane's
// marks (names to resend), which subscribe reads back.
func (r *deltaResponse) GetNextVersionMap() map[string]string    { return map[string]string{} }
func (r *deltaResponse) GetReturnedResources() map[string]string { return map[string]string{} }
func (r *deltaResponse) GetContext() context.Context             { return r.ctx }
