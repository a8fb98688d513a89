package controlplane

import (
	"context"
	"time"
)

// debouncer turns a stream of change signals into pushes: a push starts once
// no change has arrived for quiet, or max after the first change not yet
// pushed, whichever comes first. Changes arriving during a push are folded
// into the next one.
type debouncer struct {
	quiet, max time.Duration
}

// run calls push for the changes signaled on changed until ctx ends. The
// first signal is pushed without waiting: nothing is serving yet.
func (d debouncer) run(ctx context.Context, changed <-chan struct{}, push func(context.Context)) {
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		if !first && !d.settle(ctx, changed) {
			return
		}
		first = false
		push(ctx)
	}
}

// settle waits out a burst of changes; false means ctx ended.
func (d debouncer) settle(ctx context.Context, changed <-chan struct{}) bool {
	deadline := time.NewTimer(d.max)
	defer deadline.Stop()
	quiet := time.NewTimer(d.quiet)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return true
		case <-quiet.C:
			return true
		case <-changed:
			quiet.Reset(d.quiet)
		}
	}
}
