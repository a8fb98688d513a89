package router

import (
	"context"
	"sync"
	"time"
)

// RouteTimer keeps a request's timeouts as Envoy counts them: the route
// timeout and each attempt's per-try timeout start when the downstream
// request is complete (its body ended), not at its head, so a slow upload
// or a client-streaming gRPC call is not cut while it sends (the stream
// idle timeout guards those). Its context ends, with cause
// context.DeadlineExceeded, when the route timeout passes after
// RequestComplete, or when the parent ends.
type RouteTimer struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	timeout  time.Duration
	mu       sync.Mutex
	complete bool
	stopped  bool
	timer    *time.Timer
	pending  []*AttemptTimer // per-try timers waiting for the request's end
}

// NewRouteTimer returns a timer for timeout (zero: none) under parent.
func NewRouteTimer(parent context.Context, timeout time.Duration) *RouteTimer {
	ctx, cancel := context.WithCancelCause(parent)
	return &RouteTimer{ctx: ctx, cancel: cancel, timeout: timeout}
}

// Context is the exchange's context.
func (t *RouteTimer) Context() context.Context { return t.ctx }

// RequestComplete starts the route timeout and the pending per-try
// timeouts; later calls do nothing.
func (t *RouteTimer) RequestComplete() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.complete || t.stopped {
		return
	}
	t.complete = true
	if t.timeout > 0 {
		t.timer = time.AfterFunc(t.timeout, func() { t.cancel(context.DeadlineExceeded) })
	}
	for _, a := range t.pending {
		if !a.stopped {
			a.timer = time.AfterFunc(a.d, a.fire)
		}
	}
	t.pending = nil
}

// Stop ends the exchange: the timers and the context.
func (t *RouteTimer) Stop() {
	t.mu.Lock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
	t.pending = nil
	t.mu.Unlock()
	t.cancel(context.Canceled)
}

// AttemptTimer is one attempt's per-try timeout: fire runs d after the
// request is complete (at once counting, if it already is), unless stopped.
type AttemptTimer struct {
	rt      *RouteTimer
	d       time.Duration
	fire    func()
	timer   *time.Timer
	stopped bool
	fired   bool // Stop found that fire had run (or was running)
}

// PerTry arranges for fire to run d (> 0) after the request is complete.
func (t *RouteTimer) PerTry(d time.Duration, fire func()) *AttemptTimer {
	a := &AttemptTimer{rt: t, d: d, fire: fire}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.stopped:
		a.stopped = true
	case t.complete:
		a.timer = time.AfterFunc(d, fire)
	default:
		t.pending = append(t.pending, a)
	}
	return a
}

// Stop disarms the per-try timeout. It reports false when fire already
// ran or is running.
func (a *AttemptTimer) Stop() bool {
	a.rt.mu.Lock()
	defer a.rt.mu.Unlock()
	if a.stopped {
		return !a.fired
	}
	a.stopped = true
	if a.timer != nil && !a.timer.Stop() {
		a.fired = true
	}
	return !a.fired
}
