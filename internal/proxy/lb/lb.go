// Package lb picks an upstream host for a request. A Picker is built once per
// endpoint set (so weights are precomputed per config, not per request) and is
// safe for concurrent use. Policies register by the cluster's LBPolicy enum.
package lb

import (
	"fmt"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
)

// Host is what a picker sees of an upstream endpoint.
type Host interface {
	// Weight is the endpoint's load-balancing weight (at least 1).
	Weight() uint32
	// ActiveRequests is the number of requests in flight to the endpoint.
	ActiveRequests() int64
}

// Picker chooses a host among a fixed set.
type Picker interface {
	// Pick returns the index of the chosen host, or -1 when the set is empty or
	// every host is excluded. exclude (may be nil) rules out hosts already
	// tried, for retries that prefer other hosts; when every host is excluded
	// Pick ignores exclude rather than fail.
	Pick(exclude func(i int) bool) int
}

// Builder builds a Picker for hosts under a cluster's config. rnd supplies
// random numbers (uniform over uint64) and must be safe for concurrent use.
type Builder func(hosts []Host, rnd func() uint64, cfg *cluster.Config) Picker

// Registry maps load-balancing policies to their builders.
type Registry map[cluster.LBPolicy]Builder

// DefaultRegistry returns the policies Loom implements.
func DefaultRegistry() Registry {
	return Registry{
		cluster.RoundRobin: func(h []Host, rnd func() uint64, _ *cluster.Config) Picker { return NewRoundRobin(h, rnd) },
		cluster.LeastRequest: func(h []Host, rnd func() uint64, cfg *cluster.Config) Picker {
			return NewLeastRequest(h, rnd, cfg.LeastRequestChoices)
		},
		cluster.Random: func(h []Host, rnd func() uint64, _ *cluster.Config) Picker { return NewRandom(h, rnd) },
	}
}

// Build builds the Picker for the cluster's policy.
func (r Registry) Build(cfg *cluster.Config, hosts []Host, rnd func() uint64) (Picker, error) {
	b, ok := r[cfg.LB]
	if !ok {
		return nil, fmt.Errorf("lb policy %d: not supported", cfg.LB)
	}
	return b(hosts, rnd, cfg), nil
}

// weightOf returns h's weight, treating 0 as 1.
func weightOf(h Host) uint64 {
	if w := h.Weight(); w > 0 {
		return uint64(w)
	}
	return 1
}

// sameWeights reports whether every host has the same weight.
func sameWeights(hosts []Host) bool {
	for _, h := range hosts[min(1, len(hosts)):] {
		if weightOf(h) != weightOf(hosts[0]) {
			return false
		}
	}
	return true
}

// pickAvoiding calls pick up to tries times until it returns a host exclude
// does not rule out, then falls back to a scan from a random start.
func pickAvoiding(n int, exclude func(int) bool, pick func() int, rnd func() uint64) int {
	if n == 0 {
		return -1
	}
	i := pick()
	if exclude == nil || !exclude(i) {
		return i
	}
	for try := 0; try < 3; try++ {
		if i = pick(); !exclude(i) {
			return i
		}
	}
	start := int(rnd() % uint64(n))
	for k := 0; k < n; k++ {
		if j := (start + k) % n; !exclude(j) {
			return j
		}
	}
	return i
}
