package httpconn

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// poolFailure classifies a failure to get an upstream connection.
func poolFailure(err error, a *attempt) router.Failure {
	var ce *upstream.ConnectError
	switch {
	case errors.Is(err, upstream.ErrOverflow):
		return router.FailOverflow
	case errors.Is(err, context.DeadlineExceeded):
		return router.FailTimeout
	case errors.As(err, &ce), errors.Is(err, upstream.ErrPoolClosed):
		return router.FailConnect
	}
	return router.FailConnect
}

// ioFailure classifies a failed write or read of an exchange.
func (c *conn) ioFailure(err error, a *attempt) router.Failure {
	var ioe *http1.IOError
	if errors.As(err, &ioe) && ioe.Side == http1.Downstream {
		return router.FailDownstream
	}
	var pe *http1.Error
	if errors.As(err, &pe) {
		if pe.Side == http1.Downstream {
			return router.FailDownstream
		}
		return router.FailProtocol
	}
	if isTimeout(err) {
		if !a.deadline.IsZero() && !time.Now().Before(a.deadline) {
			a.cl.Stats.RqTimeout.Inc()
			return router.FailTimeout
		}
		a.cl.Stats.RqPerTryTimeout.Inc()
		return router.FailPerTryTimeout
	}
	return router.FailReset
}

// failed answers a request that got no usable response.
func (c *conn) failed(f router.Failure) {
	if rep, ok := c.timedOut(); ok {
		c.localReply(rep)
		return
	}
	if f == router.FailDownstream {
		c.x.status, c.x.flag = 499, stats.FlagDownstreamTermination
		return
	}
	if f == router.FailTimeout || f == router.FailPerTryTimeout {
		c.x.st.Stats.RqTimeout.Inc()
	}
	c.localReply(f.Reply())
}

// bodyFailed answers a request whose body could not be read: a malformed
// body gets the codec's status and reason; a client that went away, nothing.
func (c *conn) bodyFailed(err error) {
	if rep, ok := c.timedOut(); ok {
		c.localReply(rep)
		return
	}
	var pe *http1.Error
	if errors.As(err, &pe) && pe.Side == http1.Downstream {
		c.x.status, c.x.flag = pe.Status(), stats.FlagDownstreamProtocolError
		c.sc.WriteLocal(pe.Status(), &http1.ResponseEdit{Close: true}, "text/plain; charset=utf-8", []byte(pe.Reason+"\n"))
		return
	}
	c.x.status, c.x.flag = 499, stats.FlagDownstreamTermination
}

// grpcStatus reads grpc-status from a response head (-1 when absent).
func grpcStatus(r *http1.Response) int {
	v, ok := r.Header("grpc-status")
	if !ok || len(v) == 0 || len(v) > 2 {
		return -1
	}
	n := 0
	for _, b := range v {
		if b < '0' || b > '9' {
			return -1
		}
		n = n*10 + int(b-'0')
	}
	return n
}

// answeredEarly reports whether writing the request failed on the upstream
// side after the upstream had begun a response: it answered before reading
// the whole body, and that answer can still be read and relayed.
func answeredEarly(err error, uc *upstream.Conn) bool {
	var ioe *http1.IOError
	return errors.As(err, &ioe) && ioe.Side == http1.Upstream && uc.ResponseStarted()
}

// isTimeout reports whether an I/O error is a deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
