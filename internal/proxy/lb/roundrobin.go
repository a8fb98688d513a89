package lb

import "sync/atomic"

// maxSchedule bounds the precomputed weighted schedule.
const maxSchedule = 4096

// roundRobin cycles through a precomputed schedule in which each host appears
// in proportion to its weight, interleaved (smooth weighted round robin), so
// picking is one atomic increment.
type roundRobin struct {
	schedule []int32
	next     atomic.Uint64
	rnd      func() uint64
}

var _ Picker = (*roundRobin)(nil)

// NewRoundRobin builds a weighted round-robin picker. It starts at a random
// position so that many proxies do not all hit the first host first.
func NewRoundRobin(hosts []Host, rnd func() uint64) Picker {
	p := &roundRobin{schedule: schedule(hosts), rnd: rnd}
	if len(p.schedule) > 0 {
		p.next.Store(rnd() % uint64(len(p.schedule)))
	}
	return p
}

func (p *roundRobin) Pick(exclude func(int) bool) int {
	n := uint64(len(p.schedule))
	if n == 0 {
		return -1
	}
	return pickAvoiding(len(p.schedule), exclude, func() int {
		return int(p.schedule[(p.next.Add(1)-1)%n])
	}, p.rnd)
}

// schedule lays out host indexes by smooth weighted round robin. Weights are
// scaled down when their sum exceeds maxSchedule.
func schedule(hosts []Host) []int32 {
	if len(hosts) == 0 {
		return nil
	}
	if sameWeights(hosts) {
		s := make([]int32, len(hosts))
		for i := range s {
			s[i] = int32(i)
		}
		return s
	}
	weights, total := scaledWeights(hosts)
	current := make([]int64, len(hosts))
	s := make([]int32, 0, total)
	for len(s) < int(total) {
		best := 0
		for i, w := range weights {
			current[i] += w
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		s = append(s, int32(best))
	}
	return s
}

func scaledWeights(hosts []Host) ([]int64, int64) {
	var sum uint64
	for _, h := range hosts {
		sum += weightOf(h)
	}
	scale := max(1, (sum+maxSchedule-1)/maxSchedule)
	weights := make([]int64, len(hosts))
	var total int64
	for i, h := range hosts {
		weights[i] = int64(max(1, weightOf(h)/scale))
		total += weights[i]
	}
	return weights, total
}
