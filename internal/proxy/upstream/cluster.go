package upstream

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/lb"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// Envoy's defaults for unset settings.
const (
	defaultConnectTimeout = 10 * time.Second
	defaultIdleTimeout    = time.Hour
	defaultLimit          = 1024
	defaultMaxRetries     = 3
	// retireDelay is how long a removed host (or cluster) keeps its pools
	// for requests that picked it from the previous config.
	retireDelay = 5 * time.Second
)

// ErrNoHealthyUpstream: the cluster has no endpoint to send to.
var ErrNoHealthyUpstream = errors.New("no healthy upstream")

// Cluster is the live state of one upstream cluster. It is keyed by name in
// the Manager and survives config swaps; its endpoints and settings change by
// swapping an immutable state, and its hosts keep their pools.
type Cluster struct {
	Name  string
	Stats *stats.Cluster
	codec *http1.Pool
	state atomic.Pointer[clusterState]
	rnd   func() uint64
	// Circuit-breaker counters.
	conns, requests, pending, retries atomic.Int64

	mu      sync.Mutex // guards hosts and retired; held by the manager while applying
	hosts   map[netip.AddrPort]*Host
	retired []retiredHost
}

// retiredHost is a host that left the cluster. Its pools stay open for
// retireDelay: a request that loaded the previous config a moment before the
// swap may still pick it, and must not fail because of the update.
type retiredHost struct {
	h  *Host
	at time.Time
}

type clusterState struct {
	cfg    *cluster.Config
	hosts  []*Host
	picker lb.Picker
}

func newCluster(name string, st *stats.Cluster, codec *http1.Pool) *Cluster {
	c := &Cluster{Name: name, Stats: st, codec: codec, rnd: rand.Uint64, hosts: make(map[netip.AddrPort]*Host)}
	c.state.Store(&clusterState{cfg: &cluster.Config{Name: name}, picker: lb.NewRandom(nil, rand.Uint64)})
	return c
}

// Config is the cluster's current configuration.
func (c *Cluster) Config() *cluster.Config { return c.state.Load().cfg }

// Protocol is the cluster's upstream protocol.
func (c *Cluster) Protocol() cluster.Protocol { return c.state.Load().cfg.Protocol }

// Pick chooses a host, avoiding those in exclude when another is available
// (the previous_hosts retry predicate).
func (c *Cluster) Pick(exclude []*Host) (*Host, error) {
	st := c.state.Load()
	if len(st.hosts) == 0 {
		c.Stats.NoHealthyHost.Inc()
		return nil, ErrNoHealthyUpstream
	}
	var skip func(int) bool
	if len(exclude) > 0 {
		skip = func(i int) bool { return slices.Contains(exclude, st.hosts[i]) }
	}
	i := st.picker.Pick(skip)
	if n := len(exclude); n > 1 && i >= 0 && slices.Contains(exclude, st.hosts[i]) {
		// Every host was tried: at least avoid the one that just failed.
		last := exclude[n-1]
		i = st.picker.Pick(func(j int) bool { return st.hosts[j] == last })
	}
	if i < 0 {
		c.Stats.NoHealthyHost.Inc()
		return nil, ErrNoHealthyUpstream
	}
	return st.hosts[i], nil
}

// Hosts returns the cluster's current endpoints.
func (c *Cluster) Hosts() []*Host { return c.state.Load().hosts }

// Conn returns an HTTP/1.1 connection to h: a pooled idle one unless fresh.
func (c *Cluster) Conn(ctx context.Context, h *Host, fresh bool) (*Conn, error) {
	return h.h1.get(ctx, fresh)
}

// AcquireRequest takes a slot under max_requests; false means overflow.
func (c *Cluster) AcquireRequest() bool {
	return acquire(&c.requests, c.limits().MaxRequests, defaultLimit)
}

// ReleaseRequest returns a slot taken by AcquireRequest.
func (c *Cluster) ReleaseRequest() { c.requests.Add(-1) }

// AcquireRetry takes a slot under max_retries; false means the retry budget
// of the cluster is spent.
func (c *Cluster) AcquireRetry() bool {
	if acquire(&c.retries, c.limits().MaxRetries, defaultMaxRetries) {
		return true
	}
	c.Stats.RqRetryOverflow.Inc()
	return false
}

// ReleaseRetry returns a slot taken by AcquireRetry.
func (c *Cluster) ReleaseRetry() { c.retries.Add(-1) }

func (c *Cluster) acquireConn() bool {
	return acquire(&c.conns, c.limits().MaxConnections, defaultLimit)
}
func (c *Cluster) releaseConn() { c.conns.Add(-1) }
func (c *Cluster) acquirePending() bool {
	if acquire(&c.pending, c.limits().MaxPendingRequests, defaultLimit) {
		c.Stats.RqPending.Inc()
		return true
	}
	return false
}
func (c *Cluster) releasePending() { c.pending.Add(-1); c.Stats.RqPending.Dec() }

func acquire(n *atomic.Int64, limit uint32, def int64) bool {
	max := int64(limit)
	if max == 0 {
		max = def
	}
	if n.Add(1) > max {
		n.Add(-1)
		return false
	}
	return true
}

func (c *Cluster) limits() *cluster.Limits { return &c.state.Load().cfg.Limits }

func (c *Cluster) connectTimeout() time.Duration {
	if d := c.state.Load().cfg.ConnectTimeout; d > 0 {
		return d
	}
	return defaultConnectTimeout
}

func (c *Cluster) idleTimeout() time.Duration {
	if d := c.state.Load().cfg.IdleTimeout; d > 0 {
		return d
	}
	return defaultIdleTimeout
}

func (c *Cluster) maxRequestsPerConn() uint32 {
	return c.state.Load().cfg.MaxRequestsPerConnection
}
