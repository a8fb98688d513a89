package upstream

import (
	"net/netip"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/lb"
)

// update installs a new config and endpoint set. Hosts that stay keep their
// pools; hosts that left are closed (their in-flight requests finish).
func (c *Cluster) update(cfg *cluster.Config, eps *cluster.Endpoints, reg lb.Registry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	chosen := selectEndpoints(eps)
	next := make(map[netip.AddrPort]*Host, len(chosen))
	hosts := make([]*Host, 0, len(chosen))
	lbHosts := make([]lb.Host, 0, len(chosen))
	for _, ep := range chosen {
		if _, dup := next[ep.Addr]; dup {
			continue
		}
		h := c.hosts[ep.Addr]
		if h == nil {
			h = c.newHost(ep.Addr)
		}
		h.weight.Store(max(1, ep.Weight))
		next[ep.Addr] = h
		hosts = append(hosts, h)
		lbHosts = append(lbHosts, h)
	}
	now := time.Now()
	for addr, h := range c.hosts {
		if next[addr] == nil {
			c.retired = append(c.retired, retiredHost{h: h, at: now})
		}
	}
	c.hosts = next
	picker, err := reg.Build(cfg, lbHosts, c.rnd)
	if err != nil {
		picker = lb.NewRoundRobin(lbHosts, c.rnd)
	}
	c.state.Store(&clusterState{cfg: cfg, hosts: hosts, picker: picker})
}

// selectEndpoints keeps the endpoints of the best (lowest) priority that has
// any, healthy ones only unless none is healthy (Envoy's panic mode: better
// to try every endpoint than to fail every request).
func selectEndpoints(eps *cluster.Endpoints) []cluster.Endpoint {
	if eps == nil {
		return nil
	}
	best := ^uint32(0)
	for _, l := range eps.Localities {
		if len(l.Endpoints) > 0 && l.Priority < best {
			best = l.Priority
		}
	}
	var all, healthy []cluster.Endpoint
	for _, l := range eps.Localities {
		if l.Priority != best {
			continue
		}
		for _, ep := range l.Endpoints {
			if !ep.Addr.IsValid() {
				continue
			}
			all = append(all, ep)
			if ep.Healthy {
				healthy = append(healthy, ep)
			}
		}
	}
	if len(healthy) == 0 {
		return all
	}
	return healthy
}

func (c *Cluster) newHost(addr netip.AddrPort) *Host {
	h := &Host{Addr: addr}
	h.h1 = newH1Pool(c.codec, h, c)
	h.h2 = newH2Pool(h, c)
	return h
}

// retire marks every host retired: the cluster left the config. Requests
// routed by the previous config still find its hosts until they close.
func (c *Cluster) retire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for _, h := range c.hosts {
		c.retired = append(c.retired, retiredHost{h: h, at: now})
	}
	c.hosts = map[netip.AddrPort]*Host{}
}

// evict runs each host's idle-connection eviction and closes hosts retired
// long enough ago. It reports whether retired hosts remain.
func (c *Cluster) evict(now time.Time) bool {
	c.mu.Lock()
	hosts := make([]*Host, 0, len(c.hosts)+len(c.retired))
	for _, h := range c.hosts {
		hosts = append(hosts, h)
	}
	kept := c.retired[:0]
	var expired []*Host
	for _, r := range c.retired {
		if now.Sub(r.at) >= retireDelay {
			expired = append(expired, r.h)
		} else {
			kept = append(kept, r)
			hosts = append(hosts, r.h)
		}
	}
	clear(c.retired[len(kept):])
	c.retired = kept
	c.mu.Unlock()
	for _, h := range expired {
		h.close()
	}
	for _, h := range hosts {
		h.h1.evict()
		h.h2.evict()
	}
	return len(kept) > 0
}

// close closes every host, current and retired (shutdown).
func (c *Cluster) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.hosts {
		h.close()
	}
	for _, r := range c.retired {
		r.h.close()
	}
	c.hosts, c.retired = map[netip.AddrPort]*Host{}, nil
}

func (h *Host) close() {
	h.h1.close()
	h.h2.close()
}
