package httpconn

import (
	"context"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// exchange is one request's bookkeeping; it lives in the conn and is reset
// per request.
type exchange struct {
	st     *router.Listener
	start  time.Time
	status int
	flag   stats.ResponseFlag
	// respEdit is reused for the response's header edits.
	respEdit http1.ResponseEdit
}

// serveRequest routes the request just read and answers it.
func (c *conn) serveRequest(ctx context.Context) {
	st := c.m.state.Load()
	c.x = exchange{st: st, start: c.busySince, respEdit: http1.ResponseEdit{Extra: c.x.respEdit.Extra[:0]}}
	if !c.req.HasBody() {
		c.requestReceived()
	}
	st.Stats.RqTotal.Inc()
	st.Stats.RqActive.Inc()
	defer c.finish()
	d := st.Decide(&c.q)
	if d.Delay > 0 {
		c.x.flag = stats.FlagFaultDelay
		if !sleep(ctx, d.Delay) {
			c.x.status, c.x.flag = 503, stats.FlagLocalReset
			return
		}
		if rep, ok := c.timedOut(); ok {
			c.localReply(rep)
			return
		}
	}
	switch {
	case d.Reply != nil:
		c.localReply(*d.Reply)
	case d.Target.Route.Redirect != nil:
		c.redirect(d.Target)
	case d.Target.Route.Direct != nil:
		c.direct(d.Target)
	default:
		c.forward(d)
	}
}

func (c *conn) finish() {
	st := c.x.st
	if st.Istio != nil {
		st.Istio.Record(c.x.status, stats.ProtoHTTP, -1, c.x.flag, time.Since(c.x.start))
	}
	st.Stats.Response(c.x.status)
	st.Stats.RqActive.Dec()
}

// localReply answers with a reply the proxy made up, its reason in the body
// and in router.ErrorHeader.
func (c *conn) localReply(rep router.LocalReply) {
	c.requestReceived()
	c.x.status, c.x.flag = rep.Status, rep.Flag
	ed := &c.x.respEdit
	ed.Extra, _ = http1.AppendField(ed.Extra, []byte(router.ErrorHeader), []byte(rep.Reason))
	ed.Close = c.m.draining.Load()
	body := append(c.extra[:0], rep.Reason...)
	body = append(body, '\n')
	c.extra = body
	c.sc.WriteLocal(rep.Status, ed, "text/plain; charset=utf-8", body)
}

func (c *conn) redirect(t *router.Target) {
	rd := t.Route.Redirect
	loc := rd.Location(&t.Route.Match, "http", c.q.Authority(), c.q.Path())
	ed := c.responseEdit(t.H1Response.Headers)
	ed.Extra, _ = http1.AppendField(ed.Extra, []byte("location"), []byte(loc))
	c.x.status = rd.RedirectCode()
	c.sc.WriteLocal(c.x.status, ed, "", nil)
}

func (c *conn) direct(t *router.Target) {
	dr := t.Route.Direct
	ed := c.responseEdit(t.H1Response.Headers)
	c.x.status = dr.Status
	ct := ""
	if len(dr.Body) > 0 {
		ct = "text/plain"
	}
	c.sc.WriteLocal(dr.Status, ed, ct, dr.Body)
}

// responseEdit prepares the reused response edit with header layers.
func (c *conn) responseEdit(layers []*http1.HeaderEdits) *http1.ResponseEdit {
	ed := &c.x.respEdit
	ed.Headers = layers
	ed.Close = c.m.draining.Load()
	return ed
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
