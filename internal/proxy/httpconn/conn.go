package httpconn

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
)

// conn is one HTTP/1.1 downstream connection and its reusable request and
// response structs: steady-state exchanges allocate nothing for them.
type conn struct {
	m    *Manager
	sc   *http1.ServerConn
	req  http1.Request
	resp http1.Response
	q    request
	x    exchange
	a    attempt // the current request's forwarding state, reused
	// extra holds per-request fields (x-request-id, ...) for the codec.
	extra []byte

	mu        sync.Mutex // guards the fields below against Drain and the watchdog
	idle      bool
	idleSince time.Time
	closing   bool
	seq       uint64             // requests started on the connection
	busySince time.Time          // when the current request's head was read
	up        *http1.ClientConn  // the upstream connection the exchange uses
	cancelX   context.CancelFunc // interrupts a translated exchange
	fired     timeoutKind        // a stream timeout ended the current exchange
	spliced   bool               // the exchange became a tunnel
	reqDone   atomic.Bool        // the request was received in full

	// The watchdog's view of the current exchange (its goroutine only).
	wdSeq      uint64
	wdProgress uint64
	wdSince    time.Time
}

// serve runs the keep-alive loop: read a request, serve it, repeat.
func (c *conn) serve(ctx context.Context) {
	defer c.sc.Close()
	c.q.r = &c.req
	for {
		if !c.setIdle(true) {
			return
		}
		err := c.sc.ReadRequest(&c.req)
		closing := !c.setIdle(false)
		if err != nil {
			c.readFailed(err)
			return
		}
		if closing || c.m.draining.Load() {
			// Drain caught the connection idle as this request arrived (or
			// it was accepted as the drain began): the read deadline it set
			// must not cut the body short.
			c.sc.Conn().SetReadDeadline(time.Time{})
		}
		c.serveRequest(ctx)
		if !c.sc.KeepAlive() || ctx.Err() != nil {
			return
		}
	}
}

// setIdle records whether the connection waits for a request; a request
// starts when it stops waiting. It reports false when Drain or a timeout
// has marked the connection closing.
func (c *conn) setIdle(idle bool) bool {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = idle
	if idle {
		c.idleSince = now
	} else {
		c.seq++
		c.busySince, c.fired, c.spliced = now, timeoutNone, false
		c.reqDone.Store(false)
	}
	return !c.closing
}

// closeIfIdleSince closes the connection if it has waited for a request
// since before t (the downstream idle timeout).
func (c *conn) closeIfIdleSince(t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.idle || !c.idleSince.Before(t) {
		return false
	}
	c.closing = true
	c.sc.Conn().SetReadDeadline(time.Now())
	return true
}

// closeIfIdle is Drain's: a connection waiting for its next request is
// woken (its read fails) and closes; a busy one closes after its response.
func (c *conn) closeIfIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	if c.idle {
		c.sc.Conn().SetReadDeadline(time.Now())
	}
}

// readFailed answers a malformed request head; other failures (the client
// closed, a timeout) just end the connection.
func (c *conn) readFailed(err error) {
	var pe *http1.Error
	if errors.As(err, &pe) && pe.Side == http1.Downstream {
		c.sc.WriteLocal(pe.Status(), &http1.ResponseEdit{Close: true}, "text/plain; charset=utf-8", []byte(pe.Reason+"\n"))
		return
	}
	if !errors.Is(err, io.EOF) {
		c.m.logger.Debug("downstream read failed", "error", err)
	}
}

// refuseHTTP1 answers an HTTP/1.x request on a listener whose codec_type is
// HTTP2 with a 505 that says why, and closes the connection.
func refuseHTTP1(sc *http1.ServerConn) {
	defer sc.Close()
	var req http1.Request
	if err := sc.ReadRequest(&req); err != nil {
		return
	}
	const reason = "this listener accepts HTTP/2 only (codec_type HTTP2)"
	ed := &http1.ResponseEdit{Close: true}
	ed.Extra, _ = http1.AppendField(nil, []byte(router.ErrorHeader), []byte(reason))
	sc.WriteLocal(505, ed, "text/plain; charset=utf-8", []byte(reason+"\n"))
}
