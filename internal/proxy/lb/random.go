package lb

import "sort"

// random picks a host at random in proportion to its weight.
type random struct {
	hosts []Host
	// cumulative[i] is the sum of weights of hosts[0..i]; nil when all equal.
	cumulative []uint64
	rnd        func() uint64
}

var _ Picker = (*random)(nil)

// NewRandom builds a weighted random picker.
func NewRandom(hosts []Host, rnd func() uint64) Picker {
	return newRandom(hosts, rnd)
}

func newRandom(hosts []Host, rnd func() uint64) *random {
	p := &random{hosts: hosts, rnd: rnd}
	if !sameWeights(hosts) {
		p.cumulative = make([]uint64, len(hosts))
		var sum uint64
		for i, h := range hosts {
			sum += weightOf(h)
			p.cumulative[i] = sum
		}
	}
	return p
}

func (p *random) Pick(exclude func(int) bool) int {
	return pickAvoiding(len(p.hosts), exclude, p.one, p.rnd)
}

func (p *random) one() int {
	if p.cumulative == nil {
		return int(p.rnd() % uint64(len(p.hosts)))
	}
	n := p.rnd() % p.cumulative[len(p.cumulative)-1]
	return sort.Search(len(p.cumulative), func(i int) bool { return p.cumulative[i] > n })
}
