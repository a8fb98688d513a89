package xdsserver

import (
	"context"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"
	"unsafe"

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
	log      *slog.Logger

	mu        sync.Mutex
	proxy     *xds.Proxy // nil until the first request identifies it
	nodeID    string
	seq       uint64 // push sequence resources were generated from; 0: none yet
	resources xds.ProxyResources
	types     map[string]*typeState
	pending   any // the request registered in Server.pending, if any
}

// typeState is one type URL on one stream.
type typeState struct {
	// watch is open when the proxy waits for the next response of this type;
	// nil while a response is in flight (latest-wins: the next one is built
	// from the then-current resources when the proxy ACKs or NACKs).
	watch *watch
	// force holds names to resend although unchanged (EDS after its cluster changed).
	force map[string]struct{}

	sentVersion, sentNonce string
	sentAt                 time.Time
	// pending is the response handed to go-control-plane last; once it is
	// sent, sent says from which push and for which names it was built.
	pending, pendingDelta, sent pendingResponse
	ackedVersion                string
	ackedAt                     time.Time
	lastNACK                    *NACK
}

// pendingResponse identifies a response and what it was built from.
type pendingResponse struct {
	out      *discovery.DiscoveryResponse
	deltaOut *discovery.DeltaDiscoveryResponse
	seq      uint64   // c.seq the response was built from
	names    []string // SotW: the request's resource names
}

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

func newConn(streamID int64, delta bool, log *slog.Logger) *conn {
	return &conn{
		streamID: streamID,
		delta:    delta,
		since:    time.Now(),
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
	ts.watch = w
	if !ts.answered(c.seq, w) {
		c.respond(typeURL)
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
		return w.deltaReq.GetResponseNonce() == ts.sentNonce &&
			len(w.deltaReq.GetResourceNamesSubscribe()) == 0 && len(w.deltaReq.GetResourceNamesUnsubscribe()) == 0
	}
	return w.sotwReq.GetResponseNonce() == ts.sentNonce && slices.Equal(w.sotwReq.GetResourceNames(), ts.sent.names)
}

// apply installs newly generated resources and sends every type whose
// resources changed, in make-before-break order (CDS, EDS, LDS, RDS, ...).
// Resources older than the ones held (a lower push sequence) are ignored.
func (c *conn) apply(res xds.ProxyResources, seq uint64, diffs *diffMemo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq <= c.seq {
		return
	}
	old := c.resources
	c.resources, c.seq = res, seq
	c.forceEndpointsOfChangedClusters(old[resource.ClusterType], res[resource.ClusterType])
	for _, typeURL := range c.orderedTypes() {
		ts := c.types[typeURL]
		if ts.watch != nil && (len(ts.force) > 0 || diffs.changed(old[typeURL], res[typeURL])) {
			c.respond(typeURL)
		}
	}
}

// forceEndpointsOfChangedClusters makes the next EDS response carry the load
// assignment of every cluster that changed: Envoy warms an updated EDS
// cluster until it receives its endpoints again.
func (c *conn) forceEndpointsOfChangedClusters(old, cur map[string]*xds.Resource) {
	ts := c.types[resource.EndpointType]
	if ts == nil || old == nil {
		return
	}
	if sameMap(old, cur) {
		return
	}
	for name, r := range cur {
		if o, ok := old[name]; ok && !sameResource(o, r) {
			if ts.force == nil {
				ts.force = make(map[string]struct{})
			}
			ts.force[name] = struct{}{}
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

// diffMemo remembers, for one push, whether a proxy's old and new sets of a
// type differ. The generator shares each set between every proxy of a scope,
// so the thousand proxies of a namespace ask about the same pair of maps and
// only the first pays for the comparison. A nil *diffMemo compares every time.
type diffMemo struct {
	mu   sync.Mutex
	seen map[[2]unsafe.Pointer]bool
}

func newDiffMemo() *diffMemo { return &diffMemo{seen: make(map[[2]unsafe.Pointer]bool)} }

func (d *diffMemo) changed(old, cur map[string]*xds.Resource) bool {
	if sameMap(old, cur) {
		return false
	}
	if d == nil || old == nil || cur == nil {
		return changed(old, cur)
	}
	key := [2]unsafe.Pointer{mapPointer(old), mapPointer(cur)}
	d.mu.Lock()
	v, ok := d.seen[key]
	d.mu.Unlock()
	if !ok {
		v = changed(old, cur)
		d.mu.Lock()
		d.seen[key] = v
		d.mu.Unlock()
	}
	return v
}

func mapPointer(m map[string]*xds.Resource) unsafe.Pointer { return reflect.ValueOf(m).UnsafePointer() }

func sameMap(a, b map[string]*xds.Resource) bool {
	return a != nil && b != nil && mapPointer(a) == mapPointer(b)
}

// changed reports whether two sets of one type differ in names or content.
// Resources shared between pushes are the same pointer, so the common case
// costs a map lookup per resource and no hashing.
func changed(old, cur map[string]*xds.Resource) bool {
	if len(old) != len(cur) {
		return true
	}
	for name, r := range cur {
		o, ok := old[name]
		if !ok || !sameResource(o, r) {
			return true
		}
	}
	return false
}

func sameResource(a, b *xds.Resource) bool {
	if a == b {
		return true
	}
	_, va, erra := a.Marshaled()
	_, vb, errb := b.Marshaled()
	return erra == nil && errb == nil && va == vb
}

// respond answers the open watch of typeURL if the proxy is behind; c.mu is held.
func (c *conn) respond(typeURL string) {
	ts := c.types[typeURL]
	if ts == nil || ts.watch == nil || c.seq == 0 {
		return // nothing asked for, or nothing generated yet: hold the watch
	}
	var sent bool
	if ts.watch.deltaCh != nil {
		sent = c.respondDelta(typeURL, ts)
	} else {
		sent = c.respondSotW(typeURL, ts)
	}
	if sent {
		ts.watch = nil
		ts.force = nil
	}
}

// contextFor is the context handed to go-control-plane with each response.
func (c *conn) contextFor() context.Context { return context.Background() }
