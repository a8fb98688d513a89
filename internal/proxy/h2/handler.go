// Package h2 serves the proxy's HTTP/2 (cleartext, prior knowledge) and gRPC
// downstream requests: it routes each stream, forwards it to an HTTP/2
// upstream with both directions streaming and trailers relayed, retries per
// the route's policy, and answers gRPC requests' local errors with
// grpc-status. Each stream runs on the goroutine net/http's HTTP/2 server
// gives it.
package h2

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// Handler serves the HTTP/2 streams of one listener. Its state pointer is
// swapped on config updates; each request loads it once.
type Handler struct {
	State  *atomic.Pointer[router.Listener]
	Logger *slog.Logger
}

// exchange is one stream's bookkeeping for stats.
type exchange struct {
	st     *router.Listener
	start  time.Time
	grpc   bool
	status int
	grpcSt int
	flag   stats.ResponseFlag
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := h.State.Load()
	x := &exchange{st: st, start: time.Now(), grpc: router.IsGRPC(r.Header.Get("Content-Type")), grpcSt: -1}
	st.Stats.RqTotal.Inc()
	st.Stats.DownstreamH2.Inc()
	st.Stats.RqActive.Inc()
	defer x.finish()
	req := request{r: r}
	d := st.Decide(&req)
	if d.Delay > 0 {
		x.flag = stats.FlagFaultDelay
		if !sleep(r, d.Delay) {
			x.status, x.flag = 499, stats.FlagDownstreamTermination
			return
		}
	}
	switch {
	case d.Reply != nil:
		x.localReply(w, *d.Reply)
	case d.Target.Route.Redirect != nil:
		x.redirect(w, r, d.Target)
	case d.Target.Route.Direct != nil:
		x.direct(w, d.Target)
	default:
		h.forward(w, r, x, d)
	}
}

func (x *exchange) finish() {
	if x.st.Istio != nil {
		proto := stats.ProtoHTTP
		if x.grpc {
			proto = stats.ProtoGRPC
		}
		x.st.Istio.Record(x.status, proto, x.grpcSt, x.flag, time.Since(x.start))
	}
	x.st.Stats.Response(x.status)
	x.st.Stats.RqActive.Dec()
}

// localReply answers with a reply the proxy made up. gRPC requests get a
// trailers-only response: HTTP 200 with grpc-status and grpc-message.
func (x *exchange) localReply(w http.ResponseWriter, rep router.LocalReply) {
	x.flag = rep.Flag
	hdr := w.Header()
	hdr.Set(router.ErrorHeader, rep.Reason)
	if x.grpc {
		x.status, x.grpcSt = 200, rep.GRPC()
		hdr.Set("Content-Type", "application/grpc")
		hdr.Set("Grpc-Status", strconv.Itoa(x.grpcSt))
		hdr.Set("Grpc-Message", rep.Reason)
		w.WriteHeader(200)
		return
	}
	x.status = rep.Status
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(rep.Reason)+1))
	w.WriteHeader(rep.Status)
	w.Write([]byte(rep.Reason + "\n"))
}

func (x *exchange) redirect(w http.ResponseWriter, r *http.Request, t *router.Target) {
	rd := t.Route.Redirect
	loc := rd.Location(&t.Route.Match, "http", r.Host, r.RequestURI)
	applyMutations(w.Header(), t.Response)
	w.Header().Set("Location", loc)
	x.status = rd.RedirectCode()
	w.WriteHeader(x.status)
}

func (x *exchange) direct(w http.ResponseWriter, t *router.Target) {
	dr := t.Route.Direct
	applyMutations(w.Header(), t.Response)
	if len(dr.Body) > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(dr.Body)))
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "text/plain")
		}
	}
	x.status = dr.Status
	w.WriteHeader(dr.Status)
	w.Write(dr.Body)
}

// sleep waits d unless the client goes away first.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
