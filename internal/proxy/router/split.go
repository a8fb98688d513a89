package router

import (
	"math/rand/v2"
	"sync"

	"github.com/loom-mesh/loom/internal/proxy/route"
)

// maxDeckSlots bounds a splitter's deck; larger (reduced) total weights fall
// back to independent random picks.
const maxDeckSlots = 10_000

// splitter chooses among a route's weighted destinations in shuffled rounds:
// every round holds each destination exactly its weight (reduced by the
// weights' greatest common divisor) times, in a fresh random order. Envoy
// draws each request independently, which over 2,000 requests of a 50/50
// split strays by more than 2 points one time in fourteen; rounds keep the split
// within one round of exact at any request count, while the order inside a
// round stays random, so a client's request pattern cannot line up with the
// destinations.
type splitter struct {
	mu   sync.Mutex
	deck []uint16 // destination indexes, one round
	next int
}

// newSplitter returns nil when f has a single destination, no weights, or
// weights too fine-grained for a deck (then Pick draws at random).
func newSplitter(f *route.Forward) *splitter {
	if len(f.Clusters) < 2 || f.TotalWeight == 0 || len(f.Clusters) > 1<<16 {
		return nil
	}
	g := uint32(0)
	for _, c := range f.Clusters {
		g = gcd(g, c.Weight)
	}
	if g == 0 || f.TotalWeight/g > maxDeckSlots {
		return nil
	}
	s := &splitter{}
	for i, c := range f.Clusters {
		for range c.Weight / g {
			s.deck = append(s.deck, uint16(i))
		}
	}
	s.next = len(s.deck) // shuffle before the first pick
	return s
}

// pick returns the next destination index.
func (s *splitter) pick() int {
	s.mu.Lock()
	if s.next == len(s.deck) {
		rand.Shuffle(len(s.deck), func(i, j int) { s.deck[i], s.deck[j] = s.deck[j], s.deck[i] })
		s.next = 0
	}
	i := s.deck[s.next]
	s.next++
	s.mu.Unlock()
	return int(i)
}

func gcd(a, b uint32) uint32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
