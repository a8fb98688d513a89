package xdsserver

import (
	"sort"

	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"

	"github.com/loom-mesh/loom/internal/xds"
)

// held is what a stream holds of one type: the names and versions it was
// sent, which decide what the next response carries. It follows the rules
// go-control-plane applies to a subscription's "returned resources" (set when
// a response is sent; pruned to the names a state-of-the-world request still
// asks for; cut by a delta request's unsubscriptions), but without a map per
// proxy in the common case:
//
//   - lazy (versions == nil): the selection of from by the stream's
//     subscription, whose set version is version. After a response the
//     stream holds exactly the selection of the map it was built from, so
//     most proxies hold "the scope's map of the previous push", and the next
//     response follows from that push's transition to the current map.
//   - concrete (versions != nil): name → version. A lazy held is only
//     meaningful under the subscription it was built for, so it is made
//     concrete when a request changes the subscription. A version "" marks a
//     name to resend (delta: unsubscribed explicitly under a wildcard).
//
// The zero held is lazy and holds nothing (from is nil).
type held struct {
	from     map[string]*xds.Resource
	version  setVersion
	versions map[string]string
}

// concrete returns h as a name → version map under sub, the subscription h
// was built for.
func (h held) concrete(sub cache.Subscription) held {
	if h.versions != nil {
		return h
	}
	versions := make(map[string]string)
	add := func(name string, r *xds.Resource) {
		if e, ok := entryOf(r, nil); ok {
			versions[name] = e.version
		}
	}
	if sub.IsWildcard() {
		for name, r := range h.from {
			add(name, r)
		}
	} else {
		for name := range sub.SubscribedResources() {
			if r, ok := h.from[name]; ok {
				add(name, r)
			}
		}
	}
	return held{versions: versions}
}

// pruneSotW drops the names a state-of-the-world request no longer asks for,
// as go-control-plane does: re-subscribing to one later resends it.
func (h held) pruneSotW(sub cache.Subscription) {
	if sub.IsWildcard() {
		return
	}
	names := sub.SubscribedResources()
	for name := range h.versions {
		if _, ok := names[name]; !ok {
			delete(h.versions, name)
		}
	}
}

// unsubscribeDelta applies a delta request's unsubscriptions as
// go-control-plane applied them to returned (the map handed to it with the
// last response, or the request's initial versions): a name it marked ""
// must be resent or reported removed; any other is no longer held.
func (h held) unsubscribeDelta(unsubscribed []string, returned map[string]string) {
	for _, name := range unsubscribed {
		if v, ok := returned[name]; ok && v == "" {
			h.versions[name] = ""
		} else {
			delete(h.versions, name)
		}
	}
}

// plan is what one response of a watch carries: the resources to send (sorted
// by name), the names held that are gone (delta only: a state-of-the-world
// response never names removals of non-wildcard types), and the version of
// the whole selection.
type plan struct {
	send    []entry
	removed []string
	version setVersion
}

func (p plan) empty() bool { return len(p.send) == 0 && len(p.removed) == 0 }

// settled is h after a watch found nothing to tell: a lazy held whose
// selection did not change (nothing new, nothing gone) describes cur as well
// as its own map, and moving to cur keeps the next transition the one most
// proxies share. Anything else stays as it is.
func (h held) settled(cur map[string]*xds.Resource, p plan) held {
	if h.versions != nil || !p.empty() {
		return h
	}
	return held{from: cur, version: p.version}
}

// plan compares what the stream holds with the selection of cur by sub;
// forced names are sent even if unchanged.
func (h held) plan(cur map[string]*xds.Resource, sub cache.Subscription, force map[string]struct{}, memo *setMemo) plan {
	var p plan
	if h.versions != nil {
		p = h.planConcrete(cur, sub, force, memo)
	} else {
		p = h.planLazy(cur, sub, memo)
		p.send = withForced(p.send, cur, sub, force, memo)
	}
	return p
}

// planLazy walks only the transition from h.from to cur: the cost of what
// changed, whatever the size of the subscription.
func (h held) planLazy(cur map[string]*xds.Resource, sub cache.Subscription, memo *setMemo) plan {
	p := plan{version: h.version}
	wildcard, names := sub.IsWildcard(), sub.SubscribedResources()
	t := memo.transition(h.from, cur)
	for i := range t.changes {
		c := &t.changes[i]
		if !wildcard {
			if _, ok := names[c.name]; !ok {
				continue
			}
		}
		if c.old != nil {
			p.version.removeHash(c.old.hash)
		}
		if c.new != nil {
			p.version.addHash(c.new.hash)
			p.send = append(p.send, *c.new)
		} else {
			p.removed = append(p.removed, c.name)
		}
	}
	return p
}

// planConcrete compares every selected resource with the version held.
func (h held) planConcrete(cur map[string]*xds.Resource, sub cache.Subscription, force map[string]struct{}, memo *setMemo) plan {
	var p plan
	selectedNames := make(map[string]struct{})
	for _, r := range selected(cur, sub) {
		e, ok := entryOf(r, memo.log)
		if !ok {
			continue
		}
		selectedNames[e.name] = struct{}{}
		p.version.addHash(e.hash)
		_, forced := force[e.name]
		if v, ok := h.versions[e.name]; !ok || v != e.version || forced {
			p.send = append(p.send, e)
		}
	}
	for name := range h.versions {
		if _, ok := selectedNames[name]; !ok {
			p.removed = append(p.removed, name)
		}
	}
	sortEntries(p.send)
	sort.Strings(p.removed)
	return p
}

// withForced adds the forced names the subscription selects and cur holds,
// unless already sent.
func withForced(send []entry, cur map[string]*xds.Resource, sub cache.Subscription, force map[string]struct{}, memo *setMemo) []entry {
	if len(force) == 0 {
		return send
	}
	have := make(map[string]bool, len(send))
	for _, e := range send {
		have[e.name] = true
	}
	added := false
	for name := range force {
		r, ok := cur[name]
		if !ok || have[name] || !subscribed(sub, name) {
			continue
		}
		if e, ok := entryOf(r, memo.log); ok {
			send = append(send, e)
			added = true
		}
	}
	if added {
		sortEntries(send)
	}
	return send
}

func subscribed(sub cache.Subscription, name string) bool {
	if sub.IsWildcard() {
		return true
	}
	_, ok := sub.SubscribedResources()[name]
	return ok
}

// selected returns the resources of one type that a subscription covers:
// all of them for a wildcard subscription, else the names asked for that
// exist. Unsorted.
func selected(all map[string]*xds.Resource, sub cache.Subscription) []*xds.Resource {
	var out []*xds.Resource
	if sub.IsWildcard() {
		out = make([]*xds.Resource, 0, len(all))
		for _, r := range all {
			out = append(out, r)
		}
	} else {
		for name := range sub.SubscribedResources() {
			if r, ok := all[name]; ok {
				out = append(out, r)
			}
		}
	}
	return out
}
