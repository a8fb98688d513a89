package httpconn

import (
	"context"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// replayLimit bounds the request body buffered so that a retry (or a replay
// after a stale keep-alive connection) can send it again. Longer bodies
// stream and cannot be retried once sent.
const replayLimit = 64 << 10

// discardLimit bounds the response body read and dropped before a retry
// that keeps the connection; past it the connection is closed instead.
const discardLimit = 64 << 10

// attempt carries one request's forwarding state across tries.
type attempt struct {
	d        router.Decision
	cl       *upstream.Cluster
	retry    router.Retrier
	edit     http1.RequestEdit
	deadline time.Time // the route timeout's; zero when none or not started
	// complete: the request was received in full, so the route timeout
	// runs (Envoy starts it at the end of the request, not its head).
	complete bool
	uc       *upstream.Conn
}

// forward sends the request to the route's cluster, retrying per policy,
// and relays the response.
func (c *conn) forward(d router.Decision) {
	if d.Dest.Cluster.Protocol() == cluster.HTTP2 {
		c.forwardH2(d)
		return
	}
	a := &c.a
	*a = attempt{d: d, cl: d.Dest.Cluster, retry: router.NewRetrier(d.Target.Route.Forward.Retry)}
	a.retry.Init()
	c.prepareEdit(a)
	if !c.req.HasBody() {
		a.requestComplete(c.x.start)
	} else {
		complete, err := c.req.BufferBody(replayLimit)
		if err != nil {
			c.bodyFailed(err)
			return
		}
		if complete {
			c.requestReceived()
			a.requestComplete(time.Now())
		}
	}
	f := c.attempts(a)
	if f != router.FailNone {
		c.failed(f)
		return
	}
	c.relay(a)
}

// attempts runs the tries; on success a.uc holds the connection with the
// response head read into c.resp.
func (c *conn) attempts(a *attempt) router.Failure {
	retrying := false
	for {
		f := c.try(a)
		if retrying {
			a.cl.ReleaseRetry()
			if f == router.FailNone && c.resp.Status() < 500 {
				a.cl.Stats.RqRetrySuccess.Inc()
			}
		}
		if retrying = c.shouldRetry(a, f); !retrying {
			return f
		}
		if a.uc != nil {
			a.uc.DiscardBody(discardLimit)
			c.release(a.uc)
			a.uc = nil
		}
		a.cl.Stats.RqRetry.Inc()
		if !c.backoff(a, a.retry.Backoff()) {
			a.cl.ReleaseRetry()
			return router.FailTimeout
		}
	}
}

func (c *conn) shouldRetry(a *attempt, f router.Failure) bool {
	if !c.req.Replayable() {
		return false
	}
	var want bool
	if f == router.FailNone {
		want = a.retry.RetryResponse(c.resp.Status(), grpcStatus(&c.resp))
	} else {
		want = a.retry.RetryFailure(f)
	}
	return want && a.cl.AcquireRetry()
}

// try is one attempt on one host. A request that fails on a reused
// connection before any response byte is sent again once on a fresh
// connection: the upstream most likely closed it while idle.
func (c *conn) try(a *attempt) router.Failure {
	host, err := a.cl.Pick(a.retry.Exclude())
	if err != nil {
		return router.FailNoHost
	}
	a.retry.Tried(host)
	if !a.cl.AcquireRequest() {
		a.cl.Stats.RqPendingOvfl.Inc()
		return router.FailOverflow
	}
	defer a.cl.ReleaseRequest()
	host.Begin()
	defer host.End()
	a.cl.Stats.RqTotal.Inc()
	for fresh := false; ; fresh = true {
		f, stale := c.tryConn(a, host, fresh)
		if !stale || fresh {
			return f
		}
		a.cl.Stats.RqReusedRetry.Inc()
	}
}

// tryConn sends the request on one connection and reads the response head.
// stale reports a failure on a reused connection before any response byte.
func (c *conn) tryConn(a *attempt, host *upstream.Host, fresh bool) (f router.Failure, stale bool) {
	ctx, cancel := c.poolContext(a)
	uc, err := a.cl.Conn(ctx, host, fresh)
	cancel()
	if err != nil {
		return poolFailure(err, a), false
	}
	c.useUpstream(uc.ClientConn)
	// A request still streaming its body has no deadline while it does
	// (the stream idle timeout guards it); the timeouts start at its end.
	c.startTimeouts(a, uc)
	err = uc.WriteRequest(&c.req, &a.edit)
	switch {
	case err == nil:
		c.requestReceived()
		c.requestSent(a, uc)
		err = c.readResponse(uc)
	case answeredEarly(err, uc):
		// The upstream answered (413, 401, ...) and stopped reading the
		// body: its answer is the response.
		c.requestSent(a, uc)
		err = c.readResponse(uc)
	}
	if err == nil {
		a.uc = uc
		a.cl.Stats.Response(c.resp.Status())
		return router.FailNone, false
	}
	// A timeout is not a stale connection: the upstream may be working on
	// the request, and sending it again would run it twice.
	stale = uc.RetrySafe() && c.req.Replayable() && !isTimeout(err)
	c.release(uc)
	return c.ioFailure(err, a), stale
}

// release gives an upstream connection back to its pool, or closes it when
// a stream timeout interrupted the exchange (its deadline is in the past).
func (c *conn) release(uc *upstream.Conn) {
	if c.leaveUpstream() {
		uc.Discard()
		return
	}
	uc.Release()
}

// readResponse reads the final response head, passing 1xx ones on.
func (c *conn) readResponse(uc *upstream.Conn) error {
	for {
		if err := uc.ReadResponse(&c.resp, &c.req); err != nil {
			return err
		}
		if !c.resp.Interim() {
			return nil
		}
		if err := c.sc.WriteInterim(&c.resp); err != nil {
			return err
		}
	}
}

// poolContext bounds waiting for a connection by the route timeout.
func (c *conn) poolContext(a *attempt) (context.Context, context.CancelFunc) {
	if a.deadline.IsZero() {
		return context.Background(), func() {}
	}
	return context.WithDeadline(context.Background(), a.deadline)
}

// requestComplete starts the route timeout at t, once.
func (a *attempt) requestComplete(t time.Time) {
	if a.complete {
		return
	}
	a.complete = true
	if to := a.d.Target.Route.Forward.Timeout; to > 0 {
		a.deadline = t.Add(to)
	}
}

// requestSent starts the timeouts of a request that was still streaming its
// body when the attempt began (one complete before has them running).
func (c *conn) requestSent(a *attempt, uc *upstream.Conn) {
	if !a.complete {
		a.requestComplete(time.Now())
		c.startTimeouts(a, uc)
	}
}

// startTimeouts sets the attempt's deadline on its connection once the
// request is complete.
func (c *conn) startTimeouts(a *attempt, uc *upstream.Conn) {
	if !a.complete {
		return
	}
	if dl := c.tryDeadline(a); !dl.IsZero() {
		c.upstreamDeadline(uc, dl)
	}
}

// tryDeadline is the earlier of the route deadline and the per-try one.
func (c *conn) tryDeadline(a *attempt) time.Time {
	dl := a.deadline
	if per := a.retry.PerTryTimeout(); per > 0 {
		if t := time.Now().Add(per); dl.IsZero() || t.Before(dl) {
			dl = t
		}
	}
	return dl
}

func (c *conn) backoff(a *attempt, d time.Duration) bool {
	if !a.deadline.IsZero() && time.Now().Add(d).After(a.deadline) {
		return false
	}
	time.Sleep(d)
	return true
}
