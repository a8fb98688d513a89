package xdsclient

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// applyResponse records a response, publishes what became consistent and
// returns the rejected resources' errors.
func (c *Client) applyResponse(u update, now time.Time) []error {
	c.mu.Lock()
	errs := c.st.apply(u, now)
	if len(errs) == 0 {
		c.status.Versions[u.kind.typeURL] = u.version
	}
	if len(errs) > 0 {
		c.status.LastNACK = &NACK{TypeURL: u.kind.typeURL, Version: u.version, Detail: errors.Join(errs...).Error(), At: now}
	}
	c.mu.Unlock()
	c.settle(now)
	return errs
}

// settle publishes whatever is ready or timed out, drops endpoints and
// routes nothing refers to any more, and re-arms the warming timer.
func (c *Client) settle(now time.Time) {
	c.mu.Lock()
	changed, next := c.st.settle(now, c.cfg.InitialFetchTimeout)
	for t := range c.st.forget() {
		changed[t] = true
	}
	// The first snapshot waits for a complete configuration: both wildcard
	// types answered and nothing left warming (or its timeout passed).
	synced := c.status.Synced || c.complete() && len(c.st.warming()) == 0
	var snap *snapshot.Snapshot
	if synced && (len(changed) > 0 || c.snap.Load() == nil) {
		snap = c.st.snapshot(c.snap.Load(), changed, maps.Clone(c.status.Versions))
		c.status.LastUpdate = now
	}
	c.status.Synced = synced
	c.mu.Unlock()
	c.warmTimer.set(next)
	if snap != nil {
		c.log.Debug("publishing xDS snapshot", "changed", slices.Sorted(maps.Keys(changed)))
		c.snap.Store(snap)
		c.cfg.Sink.Apply(snap)
	}
	if synced {
		c.syncedOnce.Do(func() {
			close(c.synced)
			c.log.Info("xDS configuration complete", "listeners", len(c.snap.Load().Listeners), "clusters", len(c.snap.Load().Clusters))
		})
	}
}

// complete: both wildcard types have answered at least once.
func (c *Client) complete() bool {
	return c.st.received[ClusterType] && c.st.received[ListenerType]
}

// wanted lists the names to subscribe to for a non-wildcard type: the
// endpoints of EDS clusters and the route configurations of listeners, both
// accepted and published (a warming update may name new ones while the
// published version still needs the old ones).
func (s *state) wanted(typeURL string) []string {
	names := map[string]bool{}
	switch typeURL {
	case EndpointType:
		for _, m := range []map[string]*entry{s.accepted[ClusterType], s.published[ClusterType]} {
			for _, e := range m {
				if svc := edsServiceName(e); svc != "" {
					names[svc] = true
				}
			}
		}
	case RouteType:
		for _, m := range []map[string]*entry{s.accepted[ListenerType], s.published[ListenerType]} {
			for _, e := range m {
				if rds := rdsName(e.decoded.(*listener.Config)); rds != "" {
					names[rds] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(names))
}

// forget drops endpoints and route configurations no longer wanted and
// returns the types whose published set changed.
func (s *state) forget() map[string]bool {
	changed := map[string]bool{}
	for _, t := range []string{EndpointType, RouteType} {
		keep := map[string]bool{}
		for _, n := range s.wanted(t) {
			keep[n] = true
		}
		for name := range s.accepted[t] {
			if !keep[name] {
				delete(s.accepted[t], name)
			}
		}
		for name := range s.rejected[t] {
			if !keep[name] {
				delete(s.rejected[t], name)
			}
		}
		for name := range s.published[t] {
			if !keep[name] {
				delete(s.published[t], name)
				changed[t] = true
			}
		}
	}
	return changed
}

// snapshot builds the next immutable Snapshot, sharing prev's maps for the
// types that did not change.
func (s *state) snapshot(prev *snapshot.Snapshot, changed map[string]bool, versions map[string]string) *snapshot.Snapshot {
	next := &snapshot.Snapshot{}
	if prev != nil {
		*next = *prev
	}
	next.Versions = versions
	if prev == nil || changed[ListenerType] {
		next.Listeners = decodedMap[*listener.Config](s.published[ListenerType])
	}
	if prev == nil || changed[RouteType] {
		next.Routes = decodedMap[*route.Config](s.published[RouteType])
	}
	if prev == nil || changed[ClusterType] {
		next.Clusters = decodedMap[*cluster.Config](s.published[ClusterType])
	}
	if prev == nil || changed[EndpointType] {
		next.Endpoints = decodedMap[*cluster.Endpoints](s.published[EndpointType])
	}
	return next
}

func decodedMap[T any](m map[string]*entry) map[string]T {
	out := make(map[string]T, len(m))
	for name, e := range m {
		out[name] = e.decoded.(T)
	}
	return out
}
