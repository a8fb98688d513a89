package router

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/loom-mesh/loom/internal/proxy/route"
)

func forward(weights ...uint32) *route.Forward {
	f := &route.Forward{}
	for i, w := range weights {
		f.Clusters = append(f.Clusters, route.WeightedCluster{Name: string(rune('a' + i)), Weight: w})
		f.TotalWeight += w
	}
	return f
}

func TestSplitterKeepsWeightsExactPerRound(t *testing.T) {
	tests := []struct {
		name    string
		weights []uint32
		picks   int
		want    []int
	}{
		{"80/20 over 2,000", []uint32{80, 20}, 2000, []int{1600, 400}},
		{"50/50 over 2,000", []uint32{50, 50}, 2000, []int{1000, 1000}},
		{"a zero weight is never picked", []uint32{0, 100}, 300, []int{0, 300}},
		{"three ways, reduced by the gcd", []uint32{50, 25, 25}, 400, []int{200, 100, 100}},
		{"uneven weights", []uint32{33, 33, 34}, 1000, []int{330, 330, 340}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSplitter(forward(tt.weights...))
			got := make([]int, len(tt.weights))
			for range tt.picks {
				got[s.pick()]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("picks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitterOrderIsRandomWithinRounds(t *testing.T) {
	// 50/50 reduces to a round of two: if the order were fixed, every
	// other request would always reach the same destination.
	s := newSplitter(forward(50, 50))
	firstOfRound := make([]int, 2)
	for range 1000 {
		firstOfRound[s.pick()]++
		s.pick()
	}
	if firstOfRound[0] < 400 || firstOfRound[1] < 400 {
		t.Errorf("first pick of 1,000 rounds went %v; want both destinations about half the time", firstOfRound)
	}
}

func TestSplitterFallsBackToRandomDraws(t *testing.T) {
	for _, f := range []*route.Forward{forward(100), forward(0, 0), forward(1, 99_999)} {
		if s := newSplitter(f); s != nil {
			t.Errorf("newSplitter(%v) has a deck of %d; want random draws", f.Clusters, len(s.deck))
		}
	}
	target := Target{Route: &route.Route{Forward: forward(1, 99_999)}, Dests: []Dest{{Name: "a"}, {Name: "b"}}}
	counts := map[string]int{}
	for range 1000 {
		counts[target.Pick().Name]++
	}
	if counts["b"] < 990 {
		t.Errorf("random draws over 1,000 requests: %v; want nearly all to b", counts)
	}
}
