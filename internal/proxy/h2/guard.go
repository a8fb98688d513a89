package h2

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/router"
)

// Causes a stream's context is cancelled with when a stream timeout fires.
var (
	errStreamIdle     = errors.New("stream idle timeout")
	errRequestTimeout = errors.New("request timeout")
)

// streamGuard enforces the HTTP connection manager's stream timeouts on one
// HTTP/2 stream: stream_idle_timeout (no activity either way: request body
// read, response head or body written) and request_timeout (the request
// body not received in full, and no response begun). Either cancels the
// stream's forwarding context with its cause.
type streamGuard struct {
	ctx    context.Context // cancelled with the cause when a timeout fires
	idle   time.Duration
	idleT  *time.Timer
	reqT   *time.Timer
	cancel context.CancelCauseFunc
}

func newStreamGuard(ctx context.Context, idle, request time.Duration) (context.Context, *streamGuard) {
	ctx, cancel := context.WithCancelCause(ctx)
	g := &streamGuard{ctx: ctx, idle: idle, cancel: cancel}
	if idle > 0 {
		g.idleT = time.AfterFunc(idle, func() { cancel(errStreamIdle) })
	}
	if request > 0 {
		g.reqT = time.AfterFunc(request, func() { cancel(errRequestTimeout) })
	}
	return ctx, g
}

// touch records activity on the stream.
func (g *streamGuard) touch() {
	if g.idleT != nil {
		g.idleT.Reset(g.idle)
	}
}

// requestDone disarms the request timeout.
func (g *streamGuard) requestDone() {
	if g.reqT != nil {
		g.reqT.Stop()
	}
}

// stop ends the guard (the stream is over).
func (g *streamGuard) stop() {
	if g.idleT != nil {
		g.idleT.Stop()
	}
	g.requestDone()
	g.cancel(context.Canceled)
}

// timedOut returns the reply for a stream a timeout ended, if one did.
func timedOut(ctx context.Context) (router.LocalReply, bool) {
	switch context.Cause(ctx) {
	case errStreamIdle:
		return router.ReplyStreamIdleTimeout, true
	case errRequestTimeout:
		return router.ReplyRequestTimeout, true
	}
	return router.LocalReply{}, false
}

// guardedBody is a downstream request body whose reads count as activity
// and whose end disarms the request timeout.
type guardedBody struct {
	io.ReadCloser
	g *streamGuard
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.g.touch()
	if errors.Is(err, io.EOF) {
		b.g.requestDone()
	}
	return n, err
}
