package lb

// leastRequest is Envoy's LEAST_REQUEST: draw choice_count hosts at random
// (weighted, when weights differ; two by default) and take the one with the
// fewest active requests relative to its weight.
type leastRequest struct {
	draw    *random
	choices int
}

var _ Picker = (*leastRequest)(nil)

// NewLeastRequest builds a least-request picker of choices draws (fewer
// than 2 means 2, Envoy's default).
func NewLeastRequest(hosts []Host, rnd func() uint64, choices uint32) Picker {
	return &leastRequest{draw: newRandom(hosts, rnd), choices: max(int(choices), 2)}
}

func (p *leastRequest) Pick(exclude func(int) bool) int {
	return pickAvoiding(len(p.draw.hosts), exclude, p.one, p.draw.rnd)
}

func (p *leastRequest) one() int {
	hosts := p.draw.hosts
	if len(hosts) == 1 {
		return 0
	}
	best := p.draw.one()
	for range p.choices - 1 {
		c := p.draw.one()
		if c == best {
			c = (best + 1 + int(p.draw.rnd()%uint64(len(hosts)-1))) % len(hosts)
		}
		if lessLoaded(hosts[c], hosts[best]) {
			best = c
		}
	}
	return best
}

// lessLoaded reports whether a carries fewer active requests per weight than
// b, comparing active(a)*weight(b) < active(b)*weight(a) without division;
// ties keep the earlier draw.
func lessLoaded(a, b Host) bool {
	return a.ActiveRequests()*int64(weightOf(b)) < b.ActiveRequests()*int64(weightOf(a))
}
