package xdsclient

import (
	"math/rand/v2"
	"time"
)

// Reconnection backoff defaults, Envoy's for xDS streams: the first retry
// after 0.5 s, doubling up to 30 s.
const (
	DefaultBackoffInitial = 500 * time.Millisecond
	DefaultBackoffMax     = 30 * time.Second
)

// Backoff is exponential backoff with jitter: attempt n waits a uniformly
// random time in [d/2, d], d = min(Max, Initial·2^n). A stream that received
// a response resets n to 0.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = DefaultBackoffInitial
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	return b
}

// Delay is the wait before attempt n (0-based).
func (b Backoff) Delay(n int) time.Duration {
	d := b.Initial
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	return half + rand.N(half+1)
}
