package lb

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/loom-mesh/loom/internal/proxy/cluster"
)

type host struct {
	weight uint32
	active int64
}

func (h *host) Weight() uint32        { return h.weight }
func (h *host) ActiveRequests() int64 { return h.active }

func hostsOf(weights ...uint32) []Host {
	hs := make([]Host, len(weights))
	for i, w := range weights {
		hs[i] = &host{weight: w}
	}
	return hs
}

func seeded() func() uint64 {
	r := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	return func() uint64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Uint64()
	}
}

func count(p Picker, n int, exclude func(int) bool) map[int]int {
	got := map[int]int{}
	for i := 0; i < n; i++ {
		got[p.Pick(exclude)]++
	}
	return got
}

func TestRoundRobinExactShares(t *testing.T) {
	tests := []struct {
		name    string
		weights []uint32
		picks   int
		want    map[int]int
	}{
		{"equal", []uint32{1, 1, 1}, 300, map[int]int{0: 100, 1: 100, 2: 100}},
		{"weighted", []uint32{3, 1}, 400, map[int]int{0: 300, 1: 100}},
		{"zero weight counts as one", []uint32{0, 1}, 200, map[int]int{0: 100, 1: 100}},
		{"one host", []uint32{5}, 10, map[int]int{0: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewRoundRobin(hostsOf(tt.weights...), seeded())
			if diff := cmp.Diff(tt.want, count(p, tt.picks, nil)); diff != "" {
				t.Errorf("picks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoundRobinInterleaves(t *testing.T) {
	got := schedule(hostsOf(2, 1, 1))
	// Smooth WRR never sends the heavy host's share in one burst.
	if diff := cmp.Diff([]int32{0, 1, 2, 0}, got); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	big := schedule(hostsOf(1_000_000, 1))
	if len(big) > maxSchedule+1 {
		t.Errorf("schedule length %d exceeds bound %d", len(big), maxSchedule)
	}
}

func TestRandomShares(t *testing.T) {
	p := NewRandom(hostsOf(80, 20), seeded())
	got := count(p, 10000, nil)
	if got[0] < 7700 || got[0] > 8300 {
		t.Errorf("host 0 got %d of 10000 picks, want about 8000", got[0])
	}
}

func TestLeastRequestPrefersIdle(t *testing.T) {
	hosts := hostsOf(1, 1, 1, 1)
	hosts[0].(*host).active = 10
	hosts[1].(*host).active = 10
	hosts[2].(*host).active = 10
	p := NewLeastRequest(hosts, seeded(), 2)
	got := count(p, 1000, nil)
	// The idle host wins every draw it is part of: with 2 distinct choices of
	// 4 hosts it is in half of them.
	if got[3] < 450 {
		t.Errorf("idle host got %d of 1000 picks, want at least 450 (%v)", got[3], got)
	}
}

// choice_count draws more hosts per pick: with 8 draws among 4 hosts the
// only idle one is almost always among them (1 - (3/4)^8 is about 0.9).
func TestLeastRequestChoiceCount(t *testing.T) {
	hosts := hostsOf(1, 1, 1, 1)
	for i := range 3 {
		hosts[i].(*host).active = 10
	}
	p := NewLeastRequest(hosts, seeded(), 8)
	if got := count(p, 1000, nil); got[3] < 850 {
		t.Errorf("idle host got %d of 1000 picks with 8 choices, want at least 850 (%v)", got[3], got)
	}
}

func TestLeastRequestWeighted(t *testing.T) {
	hosts := hostsOf(4, 1)
	hosts[0].(*host).active = 3 // 3/4 per weight, below 1/1
	hosts[1].(*host).active = 1
	p := NewLeastRequest(hosts, seeded(), 2)
	if got := count(p, 100, nil); got[0] != 100 {
		t.Errorf("picks = %v, want all on host 0 (lower active/weight)", got)
	}
}

func TestExclude(t *testing.T) {
	for policy, build := range DefaultRegistry() {
		t.Run(policyName(policy), func(t *testing.T) {
			p := build(hostsOf(1, 1, 1), seeded(), &cluster.Config{})
			if got := count(p, 100, func(i int) bool { return i != 2 }); got[2] != 100 {
				t.Errorf("picks with only host 2 allowed = %v", got)
			}
			all := func(int) bool { return true }
			if i := p.Pick(all); i < 0 || i > 2 {
				t.Errorf("Pick with all excluded = %d, want some host", i)
			}
			if i := build(nil, seeded(), &cluster.Config{}).Pick(nil); i != -1 {
				t.Errorf("Pick on empty set = %d, want -1", i)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	if _, err := DefaultRegistry().Build(&cluster.Config{LB: cluster.LBPolicy(99)}, hostsOf(1), seeded()); err == nil {
		t.Error("Build(unknown policy) succeeded, want error")
	}
}

func policyName(p cluster.LBPolicy) string {
	return map[cluster.LBPolicy]string{cluster.RoundRobin: "round_robin", cluster.LeastRequest: "least_request", cluster.Random: "random"}[p]
}

func BenchmarkPick(b *testing.B) {
	for policy, build := range DefaultRegistry() {
		b.Run(policyName(policy), func(b *testing.B) {
			p := build(hostsOf(1, 2, 3), rand.Uint64, &cluster.Config{})
			b.ReportAllocs()
			for b.Loop() {
				p.Pick(nil)
			}
		})
	}
}
