package upstream

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
)

const (
	defaultDNSRefresh = 5 * time.Second
	dnsLookupTimeout  = 5 * time.Second
)

// dnsResolver re-resolves a STRICT_DNS cluster's hostnames. It has no
// goroutine: the manager's Run loop calls resolve when it is due.
type dnsResolver struct {
	cfg      *cluster.Config
	next     time.Time
	resolved atomic.Pointer[cluster.Endpoints]
}

func newDNSResolver(cfg *cluster.Config) *dnsResolver {
	r := &dnsResolver{cfg: cfg}
	r.resolved.Store(literalEndpoints(cfg.Endpoints))
	return r
}

func (r *dnsResolver) current() *cluster.Endpoints { return r.resolved.Load() }

// sameTargets reports whether cfg names the same hostnames as r resolves.
func (r *dnsResolver) sameTargets(cfg *cluster.Config) bool {
	return endpointsEqual(r.cfg.Endpoints, cfg.Endpoints)
}

// literalEndpoints keeps the endpoints that are already IP addresses, so a
// cluster of literals works before (and without) any lookup.
func literalEndpoints(eps *cluster.Endpoints) *cluster.Endpoints {
	if eps == nil {
		return nil
	}
	out := &cluster.Endpoints{ClusterName: eps.ClusterName}
	for _, l := range eps.Localities {
		nl := l
		nl.Endpoints = nil
		for _, ep := range l.Endpoints {
			if ip, err := netip.ParseAddr(ep.Hostname); err == nil {
				ep.Addr = netip.AddrPortFrom(ip, ep.Port)
			}
			if ep.Addr.IsValid() {
				nl.Endpoints = append(nl.Endpoints, ep)
			}
		}
		out.Localities = append(out.Localities, nl)
	}
	return out
}

// resolve looks every hostname up and returns the endpoints, one per address.
func (r *dnsResolver) resolve(ctx context.Context) (*cluster.Endpoints, error) {
	eps := r.cfg.Endpoints
	out := &cluster.Endpoints{ClusterName: eps.ClusterName}
	var firstErr error
	for _, l := range eps.Localities {
		nl := l
		nl.Endpoints = nil
		for _, ep := range l.Endpoints {
			addrs, err := lookup(ctx, ep)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			for _, a := range addrs {
				e := ep
				e.Addr = netip.AddrPortFrom(a.Unmap(), ep.Port)
				nl.Endpoints = append(nl.Endpoints, e)
			}
		}
		out.Localities = append(out.Localities, nl)
	}
	return out, firstErr
}

func lookup(ctx context.Context, ep cluster.Endpoint) ([]netip.Addr, error) {
	if ep.Addr.IsValid() {
		return []netip.Addr{ep.Addr.Addr()}, nil
	}
	if ip, err := netip.ParseAddr(ep.Hostname); err == nil {
		return []netip.Addr{ip}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, dnsLookupTimeout)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", ep.Hostname)
}

// resolveDue resolves every STRICT_DNS cluster whose refresh is due.
func (m *Manager) resolveDue(ctx context.Context) {
	now := time.Now()
	m.mu.Lock()
	var due []*dnsResolver
	for _, r := range m.dns {
		if !now.Before(r.next) {
			due = append(due, r)
		}
	}
	m.mu.Unlock()
	for _, r := range due {
		m.resolveOne(ctx, r, now)
	}
}

func (m *Manager) resolveOne(ctx context.Context, r *dnsResolver, now time.Time) {
	refresh := r.cfg.DNSRefreshRate
	if refresh <= 0 {
		refresh = defaultDNSRefresh
	}
	r.next = now.Add(refresh)
	eps, err := r.resolve(ctx)
	if err != nil {
		m.logger.Warn("dns resolution failed; keeping the last addresses", "cluster", r.cfg.Name, "error", err)
		if len(eps.Localities) == 0 || countEndpoints(eps) == 0 {
			return
		}
	}
	if endpointsEqual(eps, r.current()) {
		return
	}
	r.resolved.Store(eps)
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.clusters[r.cfg.Name]; c != nil && m.dns[r.cfg.Name] == r {
		c.update(c.Config(), eps, m.registry)
	}
}

func countEndpoints(eps *cluster.Endpoints) int {
	n := 0
	for _, l := range eps.Localities {
		n += len(l.Endpoints)
	}
	return n
}

func endpointsEqual(a, b *cluster.Endpoints) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.EqualFunc(a.Localities, b.Localities, func(x, y cluster.Locality) bool {
		return x.Region == y.Region && x.Zone == y.Zone && x.SubZone == y.SubZone &&
			x.Priority == y.Priority && x.Weight == y.Weight && slices.Equal(x.Endpoints, y.Endpoints)
	})
}
