package xdsserver

import (
	"context"
	"time"
)

// syncGate bounds how many proxies fetch their initial configuration at
// once. A proxy's first responses are its whole configuration (hundreds of
// KB for a mesh of 100 services), and gRPC holds each marshaled response
// until the proxy reads it: when every proxy connects at once (a control
// plane restart), memory would grow with the number of proxies times the
// size of a configuration. Through the gate it grows with the number of
// slots instead; a waiting proxy is connected and listed, and served in turn.
//
// A proxy holds its slot until it has answered every response sent to it
// (each type it asked for has a watch open again), its stream ends, or the
// timeout passes (a proxy that never answers must not hold a slot forever).
type syncGate struct {
	slots   chan struct{}
	timeout time.Duration
}

func newSyncGate(slots int, timeout time.Duration) *syncGate {
	return &syncGate{slots: make(chan struct{}, slots), timeout: timeout}
}

// enter waits for a slot for c; c.mu is not held.
func (g *syncGate) enter(ctx context.Context, c *conn) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gate = g
	c.gateTimer = time.AfterFunc(g.timeout, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.leaveGate()
	})
	return nil
}

// leaveGateIfSynced gives the slot back once every type the proxy asked for
// has a watch open: nothing is in flight to it; c.mu is held.
func (c *conn) leaveGateIfSynced() {
	if c.gate == nil {
		return
	}
	for _, ts := range c.types {
		if ts.watch == nil {
			return
		}
	}
	c.leaveGate()
}

// leaveGate gives the slot back, once; c.mu is held.
func (c *conn) leaveGate() {
	if c.gate == nil {
		return
	}
	c.gateTimer.Stop()
	<-c.gate.slots
	c.gate, c.gateTimer = nil, nil
}
