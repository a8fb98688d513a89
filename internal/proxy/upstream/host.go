package upstream

import (
	"net/netip"
	"sync/atomic"

	"github.com/loom-mesh/loom/internal/proxy/lb"
)

// Host is one endpoint of one cluster. It outlives config swaps: a cluster
// keeps its Host (and so its pooled connections) for as long as successive
// configs keep the endpoint.
type Host struct {
	Addr   netip.AddrPort
	weight atomic.Uint32
	active atomic.Int64
	conns  atomic.Int64 // open or dialing connections, any protocol
	h1     *h1Pool
	h2     *h2Pool
}

var _ lb.Host = (*Host)(nil)

// Weight is the endpoint's load-balancing weight in its cluster.
func (h *Host) Weight() uint32 { return h.weight.Load() }

// ActiveRequests counts requests in flight to this host.
func (h *Host) ActiveRequests() int64 { return h.active.Load() }

// Begin marks a request to h as started; call the returned func when it ends.
func (h *Host) Begin() { h.active.Add(1) }

// End marks a request to h as finished.
func (h *Host) End() { h.active.Add(-1) }

// String is the host's address.
func (h *Host) String() string { return h.Addr.String() }
