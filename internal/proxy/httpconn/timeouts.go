package httpconn

import (
	"context"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// The HTTP connection manager's stream timeouts on HTTP/1.1 connections
// are enforced by one watchdog goroutine per listener rather than by timers
// or deadlines on the request path: every tick it looks at each busy
// connection's byte counters (the codec's Progress, downstream and
// upstream). An exchange whose bytes did not move for stream_idle_timeout,
// or whose request was not received in full within request_timeout, is
// interrupted: its sockets get a deadline in the past, a translated
// exchange's context is cancelled, and the connection's goroutine answers
// 408 if no response byte was sent (else it closes the connection).

// timeoutKind says which timeout ended an exchange.
type timeoutKind uint8

const (
	timeoutNone timeoutKind = iota
	timeoutIdle
	timeoutRequest
)

// longAgo is a deadline that has passed: setting it wakes a blocked call.
var longAgo = time.Unix(1, 0)

// watchPeriod is how often the watchdog looks: a quarter of the shortest
// timeout, between 5 ms and 1 s.
func watchPeriod(idle, request time.Duration) time.Duration {
	d := time.Second
	for _, t := range []time.Duration{idle, request} {
		if t > 0 {
			d = min(d, t/4)
		}
	}
	return max(d, 5*time.Millisecond)
}

// watchdog runs until done is closed.
func (m *Manager) watchdog(done <-chan struct{}) {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	for {
		idle, request := m.state.Load().HCM.StreamTimeouts()
		t.Reset(watchPeriod(idle, request))
		select {
		case <-done:
			return
		case now := <-t.C:
			m.checkTimeouts(now, idle, request)
		}
	}
}

func (m *Manager) checkTimeouts(now time.Time, idle, request time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for c := range m.conns {
		c.checkTimeouts(now, idle, request)
	}
}

// checkTimeouts is the watchdog's look at one connection.
func (c *conn) checkTimeouts(now time.Time, idle, request time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle || c.fired != timeoutNone || c.spliced {
		return
	}
	p := c.sc.Progress()
	if c.up != nil {
		p += c.up.Progress()
	}
	if c.seq != c.wdSeq || p != c.wdProgress {
		c.wdSeq, c.wdProgress, c.wdSince = c.seq, p, now
	}
	switch {
	case request > 0 && !c.reqDone.Load() && now.Sub(c.busySince) >= request:
		c.fire(timeoutRequest)
	case idle > 0 && now.Sub(c.wdSince) >= idle:
		c.fire(timeoutIdle)
	}
}

// fire interrupts the exchange in progress. c.mu is held.
func (c *conn) fire(k timeoutKind) {
	c.fired, c.closing = k, true
	c.sc.Conn().SetDeadline(longAgo)
	if c.up != nil {
		c.up.Conn().SetDeadline(longAgo)
	}
	if c.cancelX != nil {
		c.cancelX()
	}
}

// useUpstream records the upstream connection the exchange waits on, for
// the watchdog.
func (c *conn) useUpstream(uc *http1.ClientConn) {
	c.mu.Lock()
	c.up = uc
	if c.fired != timeoutNone {
		// The watchdog fired while the request waited for this connection:
		// the exchange is over, so the connection's first I/O fails.
		uc.Conn().SetDeadline(longAgo)
	}
	c.mu.Unlock()
}

// upstreamDeadline sets the upstream connection's deadline (zero clears
// it) unless the watchdog interrupted the exchange: its past deadline stays.
func (c *conn) upstreamDeadline(uc *upstream.Conn, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fired == timeoutNone {
		uc.SetDeadline(t)
	}
}

// leaveUpstream forgets the upstream connection. It reports whether the
// watchdog interrupted the exchange: the connection then carries a
// deadline in the past and must be closed rather than pooled.
func (c *conn) leaveUpstream() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.up = nil
	return c.fired != timeoutNone
}

// watchCancel records how to interrupt a translated exchange (nil clears).
func (c *conn) watchCancel(cancel context.CancelFunc) {
	c.mu.Lock()
	c.cancelX = cancel
	c.mu.Unlock()
}

// splicing hands the connection to a tunnel, which enforces the stream
// idle timeout itself: the codec's counters no longer move.
func (c *conn) splicing() {
	c.mu.Lock()
	c.spliced = true
	c.mu.Unlock()
}

// requestReceived disarms the request timeout: the request was received
// in full, or the response began.
func (c *conn) requestReceived() { c.reqDone.Store(true) }

// replyGrace bounds the write of a timeout's reply (and the lingering
// close after it) once the watchdog interrupted the exchange.
const replyGrace = time.Second

// timedOut returns the reply for an exchange the watchdog ended, if it did.
// The client connection then gets a short deadline instead of the past one,
// so the reply can still be written.
func (c *conn) timedOut() (router.LocalReply, bool) {
	c.mu.Lock()
	k := c.fired
	c.mu.Unlock()
	if k != timeoutNone {
		c.sc.Conn().SetDeadline(time.Now().Add(replyGrace))
	}
	switch k {
	case timeoutIdle:
		c.x.st.Stats.RqIdleTimeout.Inc()
		return router.ReplyStreamIdleTimeout, true
	case timeoutRequest:
		c.x.st.Stats.RqTimeout.Inc()
		return router.ReplyRequestTimeout, true
	}
	return router.LocalReply{}, false
}
