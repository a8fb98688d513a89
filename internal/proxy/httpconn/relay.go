package httpconn

import (
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// prepareEdit fills the request rewrite: host and path rewrites, header
// mutations, and x-forwarded-proto and x-request-id when absent.
func (c *conn) prepareEdit(a *attempt) {
	t, fwd := a.d.Target, a.d.Target.Route.Forward
	a.edit = http1.RequestEdit{Host: fwd.HostRewrite, Headers: a.d.Dest.H1Request}
	if fwd.PrefixRewrite != "" || fwd.RegexRewrite != nil {
		if p, ok := fwd.RewritePath(&t.Route.Match, view(c.req.Path())); ok {
			a.edit.Path = []byte(p)
		}
	}
	extra := c.extra[:0]
	if _, ok := c.req.Header("x-forwarded-proto"); !ok {
		extra = append(extra, "x-forwarded-proto: http\r\n"...)
	}
	if _, ok := c.req.Header("x-request-id"); !ok {
		extra = append(extra, "x-request-id: "...)
		extra = router.AppendRequestID(extra)
		extra = append(extra, '\r', '\n')
	}
	c.extra = extra
	a.edit.Extra = extra
}

// relay writes the response head and streams its body to the client, then
// returns the upstream connection to its pool (or closes it).
func (c *conn) relay(a *attempt) {
	uc := a.uc
	defer c.release(uc)
	if a.retry.PerTryTimeout() > 0 {
		// The response began: from here only the route timeout applies.
		c.upstreamDeadline(uc, a.deadline)
	}
	ed := c.responseEdit(a.d.Dest.H1Response)
	c.x.status = c.resp.Status()
	err := c.sc.WriteResponse(&c.resp, ed)
	if err == nil {
		if c.resp.Tunnel() {
			c.tunnel(uc)
		}
		return
	}
	if c.sc.Committed() {
		c.x.flag = stats.FlagUpstreamReset // the client sees a cut connection
		if rep, ok := c.timedOut(); ok {
			c.x.flag = rep.Flag
		}
		return
	}
	if rep, ok := c.timedOut(); ok {
		c.localReply(rep)
		return
	}
	var ioe *http1.IOError
	if asIOError(err, &ioe) && ioe.Side == http1.Downstream {
		c.x.flag = stats.FlagDownstreamTermination
		return
	}
	c.localReply(router.ReplyReset)
}

func asIOError(err error, target **http1.IOError) bool {
	e, ok := err.(*http1.IOError)
	if ok {
		*target = e
	}
	return ok
}
