package router

import (
	"context"
	"sync"
	"time"
)

// RouteTimer is a route's timeout as Envoy counts it: from the moment the
// downstream request is complete (its body ended), not from its head, so a
// slow upload or a client-streaming gRPC call is not cut while it sends.
// Its context ends, with cause context.DeadlineExceeded, when the timeout
// passes after RequestComplete, or when the parent ends.
type RouteTimer struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timeout time.Duration
	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

// NewRouteTimer returns a timer for timeout (zero: none) under parent.
func NewRouteTimer(parent context.Context, timeout time.Duration) *RouteTimer {
	ctx, cancel := context.WithCancelCause(parent)
	return &RouteTimer{ctx: ctx, cancel: cancel, timeout: timeout}
}

// Context is the exchange's context.
func (t *RouteTimer) Context() context.Context { return t.ctx }

// RequestComplete starts the timeout; later calls do nothing.
func (t *RouteTimer) RequestComplete() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timeout <= 0 || t.timer != nil || t.stopped {
		return
	}
	t.timer = time.AfterFunc(t.timeout, func() { t.cancel(context.DeadlineExceeded) })
}

// Stop ends the exchange: the timer and the context.
func (t *RouteTimer) Stop() {
	t.mu.Lock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
	t.mu.Unlock()
	t.cancel(context.Canceled)
}

// TimedOut reports whether the route timeout ended the context.
func (t *RouteTimer) TimedOut() bool {
	return context.Cause(t.ctx) == context.DeadlineExceeded && t.ctx.Err() != nil
}
