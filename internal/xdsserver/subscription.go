package xdsserver

import (
	"slices"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
)

// Subscriptions change what a stream holds (see held). go-control-plane
// handles each request in this order: our OnStreamRequest callback, then it
// updates the subscription (and prunes its own record of what the stream
// holds), then CreateWatch. A lazy held is only meaningful under the
// subscription it was built for, so the callback makes it concrete while the
// old subscription is still in place (beforeRequest), and CreateWatch applies
// the request's changes to it as go-control-plane does (subscribe).

// changesSubscription reports whether a request changes its type's
// subscription. For state-of-the-world, names in a new order count as a
// change: harmless (the held names are only made concrete). Envoy repeats its
// whole list in every ACK; an equal list is adopted as the one on record, so
// the comparisons that follow for the same request cost nothing.
func (ts *typeState) changesSubscription(r request) bool {
	if r.delta {
		return r.deltaChange
	}
	if !sameNames(r.names, ts.names) {
		return true
	}
	if sameSlice(ts.sent.names, ts.names) {
		ts.sent.names = r.names
	}
	ts.names = r.names
	return false
}

// sameNames compares two name lists; O(1) when they are the same slice.
func sameNames(a, b []string) bool {
	return sameSlice(a, b) || slices.Equal(a, b)
}

func sameSlice(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func changesDelta(req *discovery.DeltaDiscoveryRequest) bool {
	return len(req.GetResourceNamesSubscribe()) > 0 || len(req.GetResourceNamesUnsubscribe()) > 0
}

// beforeRequest runs in the request's callback, before go-control-plane
// updates the subscription; c.mu is held.
func (ts *typeState) beforeRequest(r request) {
	if ts.sub == nil || !ts.changesSubscription(r) {
		return
	}
	ts.held = ts.held.concrete(ts.sub)
	if ts.pending.built() {
		// A delta response not sent yet goes out after this request is
		// handled; what it leaves held was built under the old subscription.
		ts.pending.held = ts.pending.held.concrete(ts.sub)
	}
}

// subscribe records the subscription of a request go-control-plane accepted
// (w's) and applies its changes to what the stream holds; c.mu is held.
func (ts *typeState) subscribe(w *watch) {
	ts.dropDiscarded(w)
	switch {
	case ts.sub == nil:
		ts.held = initialHeld(w)
	case w.deltaReq != nil && changesDelta(w.deltaReq):
		ts.ensureConcrete()
		ts.held.unsubscribeDelta(w.deltaReq.GetResourceNamesUnsubscribe(), w.sub.ReturnedResources())
		ts.sent.seq = 0 // what was sent is not what is held any more: never "answered"
	case w.sotwReq != nil && !sameNames(w.sotwReq.GetResourceNames(), ts.names):
		ts.ensureConcrete()
		ts.held.pruneSotW(w.sub)
		ts.sent.seq = 0
	}
	ts.sub = w.sub
	if w.sotwReq != nil {
		ts.names = w.sotwReq.GetResourceNames()
	}
}

// initialHeld is what a stream holds before its first response of a type:
// nothing, or for delta the versions the client says it has (after a
// reconnect), as go-control-plane recorded them.
func initialHeld(w *watch) held {
	if w.deltaReq == nil || len(w.sub.ReturnedResources()) == 0 {
		return held{}
	}
	versions := make(map[string]string, len(w.sub.ReturnedResources()))
	for name, v := range w.sub.ReturnedResources() {
		versions[name] = v
	}
	return held{versions: versions}
}

// ensureConcrete is a safety net: beforeRequest has made held concrete for
// any request that changes the subscription. Should it not have, nothing is
// assumed held, so everything selected is sent again.
func (ts *typeState) ensureConcrete() {
	if ts.held.versions == nil {
		ts.held = held{versions: map[string]string{}}
	}
}

// dropDiscarded handles a state-of-the-world response still unsent when the
// next request of its type is accepted: go-control-plane dropped it (it
// discards queued responses of a type before handling a request of that
// type). The forced names it carried are due again. Delta never drops one:
// it is sent after the request is handled.
func (ts *typeState) dropDiscarded(w *watch) {
	if w.sotwReq == nil || !ts.pending.built() {
		return
	}
	for name := range ts.pending.force {
		if ts.force == nil {
			ts.force = make(map[string]struct{})
		}
		ts.force[name] = struct{}{}
	}
	ts.pending = pendingResponse{}
}
