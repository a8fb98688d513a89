package mesh

import (
	"fmt"
	"net"
)

// lease holds an address block for as long as its listener stays open: two
// launchers on one machine (a demo and a test run) never pick the same block.
type lease struct {
	plan Plan
	ln   net.Listener
}

// acquire takes block b if it is free: its lease address, the control
// plane's xDS address and the first apps app ports must all be bindable.
func acquire(b, apps int) (*lease, error) {
	p := Plan{Block: b}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", p.leaseAddr())
	if err != nil {
		return nil, fmt.Errorf("address block %d is in use: %w", b, err)
	}
	probes := []string{p.ControlPlaneXDS()}
	for i := range apps {
		probes = append(probes, p.AppAddr(i))
	}
	for _, addr := range probes {
		probe, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("address block %d: %s in use: %w", b, addr, err)
		}
		probe.Close()
	}
	return &lease{plan: p, ln: ln}, nil
}

// acquireFirstFree takes the first free block from first on.
func acquireFirstFree(first, apps int) (*lease, error) {
	if first < MinBlock {
		first = MinBlock
	}
	for b := first; b <= MaxBlock; b++ {
		if l, err := acquire(b, apps); err == nil {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no free address block in %d..%d", first, MaxBlock)
}

func (l *lease) release() { l.ln.Close() }
