package lb

// leastRequest is Envoy's LEAST_REQUEST with two choices: draw two hosts at
// random (weighted, when weights differ) and take the one with fewer active
// requests relative to its weight.
type leastRequest struct {
	draw *random
}

var _ Picker = (*leastRequest)(nil)

// NewLeastRequest builds a power-of-two-choices least-request picker.
func NewLeastRequest(hosts []Host, rnd func() uint64) Picker {
	return &leastRequest{draw: newRandom(hosts, rnd)}
}

func (p *leastRequest) Pick(exclude func(int) bool) int {
	return pickAvoiding(len(p.draw.hosts), exclude, p.one, p.draw.rnd)
}

func (p *leastRequest) one() int {
	hosts := p.draw.hosts
	if len(hosts) == 1 {
		return 0
	}
	a := p.draw.one()
	b := p.draw.one()
	if a == b {
		b = (a + 1 + int(p.draw.rnd()%uint64(len(hosts)-1))) % len(hosts)
	}
	// Compare active/weight without division: a wins when
	// active(a)*weight(b) < active(b)*weight(a); ties go to the first draw.
	la := hosts[a].ActiveRequests() * int64(weightOf(hosts[b]))
	lb := hosts[b].ActiveRequests() * int64(weightOf(hosts[a]))
	if lb < la {
		return b
	}
	return a
}
