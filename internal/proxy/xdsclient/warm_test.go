package xdsclient

import (
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
	"slices"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

const ratings = "outbound|9080||ratings.default.svc.cluster.local"

// checkConsistent fails if a published snapshot has a listener without its
// route configuration, a route to a missing cluster, or an EDS cluster
// without endpoints: a request could fail on it.
func checkConsistent(t *testing.T, snaps []*snapshot.Snapshot) {
	t.Helper()
	for i, s := range snaps {
		for name, l := range s.Listeners {
			if h := l.Chain.HTTP; h != nil && h.RouteConfigName != "" && s.Routes[h.RouteConfigName] == nil {
				t.Errorf("snapshot %d: listener %s without route configuration %q", i, name, h.RouteConfigName)
			}
		}
		for name, r := range s.Routes {
			for _, c := range routeClusters(r) {
				if s.Clusters[c] == nil {
					t.Errorf("snapshot %d: route configuration %s sends to missing cluster %s", i, name, c)
				}
			}
		}
		for name, c := range s.Clusters {
			if c.Discovery == cluster.EDS && s.Endpoints[c.EDSServiceName] == nil {
				t.Errorf("snapshot %d: cluster %s without endpoints", i, name)
			}
		}
	}
}

func waitWarming(t *testing.T, c *Client, want ...string) {
	t.Helper()
	waitUntil(t, "warming "+want[0], func() bool {
		w := c.Status().Warming
		for _, n := range want {
			if !slices.Contains(w, n) {
				return false
			}
		}
		return true
	})
}

func TestWarmingPublishesOnlyConsistentSnapshots(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, delta bool) {
		cp := xdstest.Start(t, "127.0.0.1:0")
		m := xdstest.BaseMesh(t, "127.0.2.1")
		set(cp, "1", m)
		c, sink := startClient(t, cp.Addr, delta, nil)
		<-c.Synced()
		old9080 := c.Snapshot().Listeners[xdstest.ListenerName(9080)]

		// A new listener whose route configuration (to a new EDS cluster)
		// has not arrived, a new cluster without endpoints, and an update
		// of listener 9080 to a route configuration not sent yet.
		m.Listeners = []types.Resource{xdstest.HTTPListener(t, 9080, "9080-v2"), xdstest.HTTPListener(t, 9090, "9090")}
		m.Clusters = append(m.Clusters, xdstest.EDSCluster(ratings))
		set(cp, "2", m)
		waitWarming(t, c, "listener 127.0.0.1_9090", "listener 127.0.0.1_9080", "cluster "+ratings)
		if s := c.Snapshot(); s.Listeners[xdstest.ListenerName(9090)] != nil || s.Clusters[ratings] != nil || s.Listeners[xdstest.ListenerName(9080)] != old9080 {
			t.Fatalf("published before warm: %+v", s)
		}

		m.Endpoints = append(m.Endpoints, xdstest.Endpoints(ratings, "127.0.2.5"))
		set(cp, "3", m)
		sink.waitFor(t, "cluster ratings", func(s *snapshot.Snapshot) bool { return s.Clusters[ratings] != nil })

		m.Routes = append(m.Routes, xdstest.RouteConfig("9090", ratings), xdstest.RouteConfig("9080-v2", xdstest.Reviews, ratings))
		set(cp, "4", m)
		s := sink.waitFor(t, "both listeners", func(s *snapshot.Snapshot) bool {
			return s.Listeners[xdstest.ListenerName(9090)] != nil && s.Listeners[xdstest.ListenerName(9080)] != old9080
		})
		if got := s.Listeners[xdstest.ListenerName(9080)].Chain.HTTP.RouteConfigName; got != "9080-v2" {
			t.Errorf("listener 9080 routes by %q, want 9080-v2", got)
		}
		waitUntil(t, "route 9080 to be dropped", func() bool { return c.Snapshot().Routes["9080"] == nil })
		checkConsistent(t, sink.all())
	})
}

func TestWarmingTimeoutPublishesAnyway(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, delta bool) {
		cp := xdstest.Start(t, "127.0.0.1:0")
		m := xdstest.BaseMesh(t, "127.0.2.1")
		m.Listeners = append(m.Listeners, xdstest.HTTPListener(t, 9090, "never-sent"))
		set(cp, "1", m)
		const timeout = 300 * time.Millisecond
		start := time.Now()
		c, _ := startClient(t, cp.Addr, delta, func(c *Config) { c.InitialFetchTimeout = timeout })
		select {
		case <-c.Synced():
		case <-time.After(10 * time.Second):
			t.Fatalf("never synced: %+v", c.Status())
		}
		if waited := time.Since(start); waited < timeout {
			t.Errorf("synced after %v, before the %v initial-fetch timeout", waited, timeout)
		}
		s := c.Snapshot()
		if s.Listeners[xdstest.ListenerName(9090)] == nil || s.Routes["never-sent"] != nil || s.Listeners[xdstest.ListenerName(9080)] == nil {
			t.Errorf("after the timeout: %+v", s)
		}
		if w := c.Status().Warming; len(w) != 0 {
			t.Errorf("still warming: %v", w)
		}
	})
}
