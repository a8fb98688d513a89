package h2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// Result is how forwarding ended: a response, or a failure.
type Result struct {
	Resp *http.Response
	// Cancel ends the attempt that produced Resp; call it once the body has
	// been relayed.
	Cancel  context.CancelFunc
	Failure router.Failure
	Err     error
}

// forward sends the request upstream, retrying per the route's policy, and
// relays the response.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request, x *exchange, d router.Decision) {
	gctx, g := x.guard(r)
	defer g.stop()
	rt := router.NewRouteTimer(gctx, d.Target.Route.Forward.Timeout)
	defer rt.Stop()
	onRequestEnd(r, rt.RequestComplete)
	// Bodies written to HTTP/1.1 upstreams by goroutines of their own end
	// when their source does: closing it once the exchange is over ends
	// them, and the handler waits for them.
	var pumps sync.WaitGroup
	defer pumps.Wait()
	defer r.Body.Close()
	res := forward(rt, r, d, &pumps)
	if res.Resp == nil {
		if rep, ok := x.timedOut(gctx); ok {
			x.localReply(w, rep)
			return
		}
		if res.Failure == router.FailDownstream {
			x.status, x.flag = 499, stats.FlagDownstreamTermination
			return
		}
		x.localReply(w, res.Failure.Reply())
		return
	}
	defer res.Cancel()
	g.touch()
	g.requestDone() // the response began
	x.relay(w, res.Resp, d.Dest, g)
}

// onRequestEnd calls end once the request's body has been read to its end,
// or now when it has none.
func onRequestEnd(r *http.Request, end func()) {
	// content-length: 0 with an empty DATA frame is a body no one reads
	// (the HTTP/1.1 bridge sends none): the request is complete now.
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		end()
		return
	}
	r.Body = &endWatch{ReadCloser: r.Body, end: end}
}

// endWatch calls end when its body returns io.EOF.
type endWatch struct {
	io.ReadCloser
	end func()
}

func (b *endWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.end()
	}
	return n, err
}

// guard starts the stream timeouts of the listener's HTTP connection
// manager for a stream; its request body's reads count as activity.
func (x *exchange) guard(r *http.Request) (context.Context, *streamGuard) {
	idle, request := x.st.HCM.StreamTimeouts()
	ctx, g := newStreamGuard(r.Context(), idle, request)
	if r.Body == nil || r.Body == http.NoBody {
		g.requestDone()
	} else {
		r.Body = &guardedBody{ReadCloser: r.Body, g: g}
	}
	return ctx, g
}

// timedOut returns the reply for a stream a stream timeout ended, counting it.
func (x *exchange) timedOut(ctx context.Context) (router.LocalReply, bool) {
	rep, ok := timedOut(ctx)
	switch {
	case !ok:
	case rep.Flag == stats.FlagStreamIdleTimeout:
		x.st.Stats.RqIdleTimeout.Inc()
	default:
		x.st.Stats.RqTimeout.Inc()
	}
	return rep, ok
}

// Forward sends a request (as an HTTP/2 server would have received it:
// RequestURI, Host, Header, Body) to the decision's destination over
// HTTP/2 or HTTP/1.1 as the cluster says, with the route's retries. The
// HTTP/1.1 connection manager uses it for HTTP/2 clusters. rt's context
// whole exchange (the route timeout).
func Forward(rt *router.RouteTimer, r *http.Request, d router.Decision) Result {
	return forward(rt, r, d, nil)
}

// forward is Forward with the goroutines writing request bodies to
// HTTP/1.1 upstreams counted in pumps (nil: not counted).
func forward(rt *router.RouteTimer, r *http.Request, d router.Decision, pumps *sync.WaitGroup) Result {
	x := &forwarding{r: r, d: d, rt: rt, pumps: pumps}
	if r.Body != nil && r.Body != http.NoBody {
		x.body = newReplayBody(r)
	}
	return x.attempts(rt.Context())
}

// forwarding is one request's forwarding state across attempts.
type forwarding struct {
	r     *http.Request
	d     router.Decision
	rt    *router.RouteTimer // the route timeout; starts per-try timeouts
	body  *replayBody
	pumps *sync.WaitGroup
}

// attempts runs the first try and any retries. It returns the response to
// relay (with its attempt still open) or the failure that ended the request.
func (x *forwarding) attempts(ctx context.Context) Result {
	r, d, body := x.r, x.d, x.body
	c := d.Dest.Cluster
	retry := router.NewRetrier(d.Target.Route.Forward.Retry)
	retry.Init()
	retrying := false
	for {
		res := x.try(ctx, c, &retry)
		if retrying {
			c.ReleaseRetry() // max_retries counts retries in flight
			if res.Resp != nil && res.Resp.StatusCode < 500 {
				c.Stats.RqRetrySuccess.Inc()
			}
		}
		if retrying = shouldRetry(&retry, c, &res, body); !retrying {
			return res
		}
		if res.Resp != nil {
			res.Resp.Body.Close()
			res.Cancel()
		}
		c.Stats.RqRetry.Inc()
		if !backoff(ctx, retry.Backoff()) {
			c.ReleaseRetry()
			return Result{Failure: ctxFailure(ctx, r)}
		}
	}
}

func shouldRetry(retry *router.Retrier, c *upstream.Cluster, res *Result, body *replayBody) bool {
	if body != nil && !body.replayable() {
		return false
	}
	var want bool
	if res.Resp != nil {
		want = retry.RetryResponse(res.Resp.StatusCode, grpcStatus(res.Resp.Header))
	} else {
		want = retry.RetryFailure(res.Failure)
	}
	return want && c.AcquireRetry()
}

// try is one attempt: pick a host, send, wait for the response head.
func (x *forwarding) try(ctx context.Context, c *upstream.Cluster, retry *router.Retrier) Result {
	r, d, body := x.r, x.d, x.body
	host, err := c.Pick(retry.Exclude())
	if err != nil {
		return Result{Failure: router.FailNoHost, Err: err}
	}
	retry.Tried(host)
	if !c.AcquireRequest() {
		c.Stats.RqPendingOvfl.Inc()
		return Result{Failure: router.FailOverflow}
	}
	defer c.ReleaseRequest()
	actx, perTry := x.startAttempt(ctx, retry.PerTryTimeout())
	c.Stats.RqTotal.Inc()
	host.Begin()
	out := outgoing(actx, r, d.Target, d.Dest, host, body)
	resp, err := x.roundTrip(actx, c, host, out)
	host.End()
	if err == nil && !perTry.responseBegan() {
		resp.Body.Close() // the per-try timeout fired as the head arrived
		resp, err = nil, errPerTryTimeout
	}
	if err != nil {
		perTry.end()
		f := classify(err, ctx, actx, r)
		if f == router.FailPerTryTimeout {
			c.Stats.RqPerTryTimeout.Inc()
		}
		return Result{Failure: f, Err: err}
	}
	c.Stats.Response(resp.StatusCode)
	return Result{Resp: resp, Cancel: perTry.end}
}

// errPerTryTimeout is the cause of an attempt's context ended by the
// route's per-try timeout.
var errPerTryTimeout = errors.New("per-try timeout")

// attemptTimer ends an attempt's context when its per-try timeout passes
// (counted from the end of the request), until the response head arrives:
// from then on only the route timeout applies, as in Envoy, so a slow body
// is not cut by the per-try timeout.
type attemptTimer struct {
	perTry *router.AttemptTimer
	cancel context.CancelCauseFunc
}

// startAttempt returns the attempt's context: the exchange's own when the
// route has no per-try timeout (nothing to arm, nothing to allocate).
func (x *forwarding) startAttempt(ctx context.Context, perTry time.Duration) (context.Context, *attemptTimer) {
	if perTry <= 0 {
		return ctx, &attemptTimer{}
	}
	actx, cancel := context.WithCancelCause(ctx)
	t := &attemptTimer{cancel: cancel}
	t.perTry = x.rt.PerTry(perTry, func() { cancel(errPerTryTimeout) })
	return actx, t
}

// responseBegan disarms the per-try timeout. False means it fired: the
// attempt's context is then (made sure to be) ended by it, whether or not
// the timer's goroutine got to cancel it yet.
func (t *attemptTimer) responseBegan() bool {
	if t.perTry == nil || t.perTry.Stop() {
		return true
	}
	t.cancel(errPerTryTimeout)
	return false
}

// end ends the attempt.
func (t *attemptTimer) end() {
	if t.perTry != nil {
		t.perTry.Stop()
		t.cancel(nil)
	}
}

func (x *forwarding) roundTrip(ctx context.Context, c *upstream.Cluster, host *upstream.Host, req *http.Request) (*http.Response, error) {
	if c.Protocol() == cluster.HTTP1 {
		return c.RoundTripH1(ctx, host, req, x.pumps)
	}
	return c.RoundTrip(ctx, host, req)
}

// classify maps a round-trip error to a retry failure kind.
func classify(err error, ctx, actx context.Context, r *http.Request) router.Failure {
	var ce *upstream.ConnectError
	var pe *http1.Error
	switch {
	case r.Context().Err() != nil:
		return router.FailDownstream
	case ctx.Err() != nil:
		return router.FailTimeout
	case errors.Is(context.Cause(actx), errPerTryTimeout):
		return router.FailPerTryTimeout
	case errors.As(err, &ce), errors.Is(err, upstream.ErrPoolClosed):
		return router.FailConnect
	case errors.Is(err, upstream.ErrOverflow):
		return router.FailOverflow
	case errors.As(err, &pe) && pe.Side == http1.Upstream:
		return router.FailProtocol
	case upstream.Unprocessed(err):
		// REFUSED_STREAM, or a GOAWAY that excluded the stream: the
		// upstream never processed it (already replayed once).
		return router.FailRefusedStream
	}
	return router.FailReset
}

func ctxFailure(ctx context.Context, r *http.Request) router.Failure {
	if r.Context().Err() != nil {
		return router.FailDownstream
	}
	return router.FailTimeout
}

// grpcStatus reads grpc-status from a response head (-1 when absent).
func grpcStatus(h http.Header) int {
	v := h.Get("Grpc-Status")
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func backoff(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
