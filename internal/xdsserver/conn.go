package xdsserver

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/loom-mesh/loom/internal/xds"
)

// conn is one ADS stream: the proxy behind it, the resources generated for it
// and, per type, what was sent, ACKed or NACKed and the watch go-control-plane
// holds open for the next response.
type conn struct {
	streamID int64
	delta    bool
	since    time.Time
	ctx      context.Context // the stream's
	log      *slog.Logger

	mu        sync.Mutex
	proxy     *xds.Proxy // nil until the first request identifies it
	nodeID    string
	seq       uint64 // push sequence resources were generated from; 0: none yet
	resources xds.ProxyResources
	memo      *setMemo // the comparisons of the push resources come from
	types     map[string]*typeState
	pending   any         // the request registered in Server.pending, if any
	gate      *syncGate   // set while the proxy holds an initial-sync slot
	gateTimer *time.Timer // gives the slot back if the proxy never answers
}

// typeState is one type URL on one stream.
type typeState struct {
	// watch is open when the proxy waits for the next response of this type;
	// nil while a response is in flight (latest-wins: the next one is built
	// from the then-current resources when the proxy ACKs or NACKs).
	watch *watch
	// force holds names to resend although unchanged (EDS after its cluster changed).
	force map[string]struct{}
	// sub is the subscription of the last request go-control-plane accepted
	// (nil before the first), names that request's resource names (SotW).
	sub   cache.Subscription
	names []string
	// held is what the stream holds, as of the last response sent.
	held held

	sentVersion, sentNonce string
	sentAt                 time.Time
	// pending is the response handed to go-control-plane and not sent yet;
	// sent is what the last one sent was built from (seq and names only).
	pending, sent pendingResponse
	ackedVersion  string
	ackedAt       time.Time
	lastNACK      *NACK
}

// pendingResponse identifies a response and what it was built from.
type pendingResponse struct {
	out      *discovery.DiscoveryResponse
	deltaOut *discovery.DeltaDiscoveryResponse
	seq      uint64              // c.seq the response was built from
	names    []string            // SotW: the request's resource names
	held     held                // what the stream holds once it is sent
	force    map[string]struct{} // the forced names it carries
}

func (p pendingResponse) built() bool { return p.out != nil || p.deltaOut != nil }

// NACK is a response the proxy rejected.
type NACK struct {
	Version string    `json:"version"`
	Nonce   string    `json:"nonce"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// watch is one open go-control-plane watch: exactly one of ch and deltaCh is set.
type watch struct {
	sotwReq  *discovery.DiscoveryRequest
	deltaReq *discovery.DeltaDiscoveryRequest
	sub      cache.Subscription
	ch       chan cache.Response
	deltaCh  chan cache.DeltaResponse
}

func newConn(ctx context.Context, streamID int64, delta bool, log *slog.Logger) *conn {
	return &conn{
		streamID: streamID,
		delta:    delta,
		since:    time.Now(),
		ctx:      ctx,
		log:      log,
		types:    make(map[string]*typeState),
	}
}

func (c *conn) typeState(typeURL string) *typeState {
	ts := c.types[typeURL]
	if ts == nil {
		ts = &typeState{}
		c.types[typeURL] = ts
	}
	return ts
}

// openWatch records a new watch and answers it at once if the proxy is behind.
func (c *conn) openWatch(typeURL string, w *watch) func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.typeState(typeURL)
	ts.subscribe(w)
	ts.watch = w
	if !ts.answered(c.seq, w) {
		c.respond(typeURL)
	}
	if c.seq != 0 {
		c.leaveGateIfSynced()
	}
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ts := c.types[typeURL]; ts != nil && ts.watch == w {
			ts.watch = nil
		}
	}
}

// answered reports whether w is the proxy answering (ACK or NACK) the last
// response sent, with the same names, and nothing changed since it was built:
// then there is nothing to send and no need to compare every resource again.
func (ts *typeState) answered(seq uint64, w *watch) bool {
	if len(ts.force) > 0 || ts.sent.seq != seq || seq == 0 {
		return false
	}
	if w.deltaReq != nil {
		return w.deltaReq.GetResponseNonce() == ts.sentNonce && !changesDelta(w.deltaReq)
	}
	return w.sotwReq.GetResponseNonce() == ts.sentNonce && sameNames(w.sotwReq.GetResourceNames(), ts.sent.names)
}

// apply installs newly generated resources and sends every type whose
// resources changed, in make-before-break order (CDS, EDS, LDS, RDS, ...).
// Resources older than the ones held (a lower push sequence) are ignored.
func (c *conn) apply(res xds.ProxyResources, seq uint64, memo *setMemo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq <= c.seq {
		return
	}
	old := c.resources
	c.resources, c.seq, c.memo = res, seq, memo
	if old != nil {
		c.forceEndpointsOfChangedClusters(memo.transition(old[resource.ClusterType], res[resource.ClusterType]))
	}
	for _, typeURL := range c.orderedTypes() {
		ts := c.types[typeURL]
		if ts.watch != nil && (len(ts.force) > 0 || memo.transition(old[typeURL], res[typeURL]).changed()) {
			c.respond(typeURL)
		}
	}
}

// forceEndpointsOfChangedClusters makes the next EDS response carry the load
// assignment of every cluster that changed: Envoy warms an updated EDS
// cluster until it receives its endpoints again.
func (c *conn) forceEndpointsOfChangedClusters(clusters *transition) {
	ts := c.types[resource.EndpointType]
	if ts == nil {
		return
	}
	for _, ch := range clusters.changes {
		if ch.old != nil && ch.new != nil {
			if ts.force == nil {
				ts.force = make(map[string]struct{})
			}
			ts.force[ch.name] = struct{}{}
		}
	}
}

// orderedTypes lists the stream's types in the order ADS must send them.
func (c *conn) orderedTypes() []string {
	types := make([]string, 0, len(c.types))
	for t := range c.types {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		ri, rj := typeRank(types[i]), typeRank(types[j])
		if ri != rj {
			return ri < rj
		}
		return types[i] < types[j]
	})
	return types
}

func typeRank(typeURL string) int {
	switch typeURL {
	case resource.ClusterType:
		return 0
	case resource.EndpointType:
		return 1
	case resource.ListenerType:
		return 2
	case resource.RouteType:
		return 3
	default:
		return 4
	}
}

// respond answers the open watch of typeURL if the proxy is behind; c.mu is held.
func (c *conn) respond(typeURL string) {
	ts := c.types[typeURL]
	if ts == nil || ts.watch == nil || c.seq == 0 {
		return // nothing asked for, or nothing generated yet: hold the watch
	}
	if ts.watch.deltaCh != nil {
		c.respondDelta(typeURL, ts)
	} else {
		c.respondSotW(typeURL, ts)
	}
}

// contextFor is the context handed to go-control-plane with each response.
func (c *conn) contextFor() context.Context { return context.Background() }
