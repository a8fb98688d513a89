package proxy

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

func weighted(split map[string]uint32) *route.Route {
	r := &route.Route{Match: route.Match{Path: "/", CaseSensitive: true}, Forward: &route.Forward{}}
	for name, w := range split {
		r.Forward.Clusters = append(r.Forward.Clusters, route.WeightedCluster{Name: name, Weight: w})
		r.Forward.TotalWeight += w
	}
	return r
}

func TestWeightedSplit(t *testing.T) {
	v1, v2 := startBackend(t, text("v1")), startBackend(t, text("v2"))
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(weighted(map[string]uint32{"v1": 80, "v2": 20})))},
		[]*cluster.Config{staticCluster("v1", cluster.HTTP1, v1.addr), staticCluster("v2", cluster.HTTP1, v2.addr)}))
	c, base := newClient(t), "http://"+p.addr("out")
	counts := map[string]int{}
	for i := 0; i < 2000; i++ {
		_, body, _ := get(t, c, base+"/")
		counts[body]++
	}
	if share := float64(counts["v1"]) / 2000; share < 0.77 || share > 0.83 {
		t.Errorf("v1 got %.1f%% of 2000 requests (%v), want 80 ± 3", share*100, counts)
	}
}

func TestHeaderAndPathRouting(t *testing.T) {
	v1, v2, v3 := startBackend(t, text("v1")), startBackend(t, text("v2")), startBackend(t, text("v3"))
	jason := to("v2")
	jason.Match.Headers = []route.HeaderMatch{{Name: "end-user", Value: "jason"}}
	exact := to("v3")
	exact.Match = route.Match{PathKind: route.PathExact, Path: "/login", CaseSensitive: true}
	query := to("v3")
	query.Match.Query = []route.QueryMatch{{Name: "canary", Value: "1"}}
	post := to("v3")
	post.Match.Headers = []route.HeaderMatch{{Name: ":method", Value: "POST"}}
	rc := &route.Config{Name: "r", VirtualHosts: []*route.VirtualHost{
		{Name: "reviews", Domains: []string{"reviews", "reviews:9080"}, Routes: []*route.Route{exact, jason, query, post, to("v1")}},
		{Name: "ratings", Domains: []string{"ratings"}, Routes: []*route.Route{to("v3")}},
	}}
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, rc)}, []*cluster.Config{
		staticCluster("v1", cluster.HTTP1, v1.addr), staticCluster("v2", cluster.HTTP1, v2.addr), staticCluster("v3", cluster.HTTP1, v3.addr)}))
	c, base := newClient(t), "http://"+p.addr("out")
	tests := []struct {
		name    string
		path    string
		headers []string
		want    string
	}{
		{"default", "/reviews/1", []string{"host", "reviews:9080"}, "v1"},
		{"header exact", "/reviews/1", []string{"host", "reviews", "end-user", "jason"}, "v2"},
		{"header other user", "/reviews/1", []string{"host", "reviews", "end-user", "jasonx"}, "v1"},
		{"exact path", "/login", []string{"host", "reviews"}, "v3"},
		{"query", "/x?canary=1", []string{"host", "reviews"}, "v3"},
		{"other host", "/", []string{"host", "ratings"}, "v3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := get(t, c, base+tt.path, tt.headers...)
			if code != 200 || body != tt.want {
				t.Errorf("got %d %q, want 200 %q", code, body, tt.want)
			}
		})
	}
	t.Run("unknown host", func(t *testing.T) {
		code, body, h := get(t, c, base+"/", "host", "details")
		if code != 404 || body != "route not found\n" || h.Get("x-loom-error") != "route not found" {
			t.Errorf("got %d %q (x-loom-error %q), want 404 route not found", code, body, h.Get("x-loom-error"))
		}
	})
	t.Run("method", func(t *testing.T) {
		req, _ := http.NewRequest("POST", base+"/reviews", nil)
		req.Host = "reviews"
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if body, _ := io.ReadAll(resp.Body); string(body) != "v3" {
			t.Errorf("POST went to %q, want v3", body)
		}
	})
}

// echoRequest answers with the path and selected headers it received.
func echoRequest(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Seen-Path", r.URL.RequestURI())
	w.Header().Set("X-Seen-Host", r.Host)
	w.Header().Set("X-Seen-Added", r.Header.Get("X-Added"))
	w.Header().Set("X-Seen-Removed", r.Header.Get("X-Secret"))
	w.Header().Set("X-Seen-Request-Id", r.Header.Get("X-Request-Id"))
	w.Header().Set("X-Seen-Forwarded-Proto", r.Header.Get("X-Forwarded-Proto"))
	w.Header().Set("X-Upstream-Only", "1")
}

func TestRewritesAndHeaderMutations(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(echoRequest))
	r := to("be")
	r.Match.Path = "/api/"
	r.Forward.PrefixRewrite = "/v2/"
	r.Forward.HostRewrite = "internal.example"
	r.RequestHeaders = route.HeaderMutation{Set: []route.Header{{Name: "x-added", Value: "yes"}}, Remove: []string{"x-secret"}}
	r.ResponseHeaders = route.HeaderMutation{Add: []route.Header{{Name: "x-served-by", Value: "loom"}}, Remove: []string{"x-upstream-only"}}
	rx := to("be")
	rx.Match = route.Match{PathKind: route.PathExact, Path: "/old", CaseSensitive: true}
	rx.Forward.RegexRewrite = &route.RegexRewrite{Pattern: regexp.MustCompile(`^/old$`), Substitution: "/new"}
	redirect := &route.Route{Match: route.Match{Path: "/moved", CaseSensitive: true}, Redirect: &route.Redirect{Host: "elsewhere", Code: 302}}
	direct := &route.Route{Match: route.Match{Path: "/health", CaseSensitive: true}, Direct: &route.DirectResponse{Status: 200, Body: []byte("healthy")}}
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(redirect, direct, r, rx))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
	c, base := newClient(t), "http://"+p.addr("out")
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	_, _, h := get(t, c, base+"/api/users?id=7", "x-secret", "s3cret")
	for name, want := range map[string]string{
		"X-Seen-Path": "/v2/users?id=7", "X-Seen-Host": "internal.example", "X-Seen-Added": "yes",
		"X-Seen-Removed": "", "X-Served-By": "loom", "X-Upstream-Only": "", "X-Seen-Forwarded-Proto": "http",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if id := h.Get("X-Seen-Request-Id"); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("x-request-id = %q, want a v4 UUID", id)
	}
	_, _, h = get(t, c, base+"/api/x", "x-request-id", "mine")
	if got := h.Get("X-Seen-Request-Id"); got != "mine" {
		t.Errorf("x-request-id = %q, want the client's own", got)
	}
	if _, _, h = get(t, c, base+"/old?q=1"); h.Get("X-Seen-Path") != "/new?q=1" {
		t.Errorf("regex rewrite: upstream saw %q, want /new?q=1", h.Get("X-Seen-Path"))
	}
	if code, _, h := get(t, c, base+"/moved/here"); code != 302 || h.Get("Location") != "http://elsewhere/moved/here" {
		t.Errorf("redirect: %d Location %q", code, h.Get("Location"))
	}
	if code, body, _ := get(t, c, base+"/health"); code != 200 || body != "healthy" {
		t.Errorf("direct response: %d %q", code, body)
	}
}

func TestTimeouts(t *testing.T) {
	slow := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("sleep"))
		select {
		case <-time.After(d):
			io.WriteString(w, "late")
		case <-r.Context().Done():
		}
	}))
	r := to("slow")
	r.Forward.Timeout = 200 * time.Millisecond
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("slow", cluster.HTTP1, slow.addr)}))
	c, base := newClient(t), "http://"+p.addr("out")
	start := time.Now()
	code, body, h := get(t, c, base+"/?sleep=2s")
	if took := time.Since(start); code != 504 || h.Get("x-loom-error") != "upstream request timeout" || took > 1500*time.Millisecond {
		t.Errorf("slow upstream: %d %q after %v, want 504 upstream request timeout after ~200ms", code, body, took)
	}
	if code, body, _ := get(t, c, base+"/?sleep=10ms"); code != 200 || body != "late" {
		t.Errorf("fast upstream: %d %q", code, body)
	}
}

// flaky fails the first n requests with status, then answers "ok".
func flaky(n int64, status int) (http.HandlerFunc, *atomic.Int64) {
	var calls atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			w.WriteHeader(status)
			return
		}
		io.WriteString(w, "ok")
	}, &calls
}

func TestRetries(t *testing.T) {
	h, calls := flaky(2, 503)
	be := startBackend(t, h)
	r := to("be")
	r.Forward.Retry = &route.RetryPolicy{On: route.RetryRetriableStatusCodes | route.RetryConnectFailure, NumRetries: 2,
		RetriableStatusCodes: []uint32{503}, OtherHosts: true, BackoffBase: time.Millisecond}
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
	c, base := newClient(t), "http://"+p.addr("out")
	if code, body, _ := get(t, c, base+"/"); code != 200 || body != "ok" || calls.Load() != 3 {
		t.Errorf("after two 503s: %d %q with %d upstream calls, want 200 ok after 3", code, body, calls.Load())
	}
	if st := p.dp.stats.Cluster("be"); st.RqRetry.Value() != 2 || st.RqRetrySuccess.Value() != 1 {
		t.Errorf("retries %d, successful %d; want 2 and 1", st.RqRetry.Value(), st.RqRetrySuccess.Value())
	}

	t.Run("connect failure goes to another host", func(t *testing.T) {
		good := startBackend(t, text("ok"))
		p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, good.addr, deadAddr(t))}))
		for i := 0; i < 10; i++ { // round robin: every other request picks the dead endpoint first
			if code, body, h := get(t, c, base+"/"); code != 200 {
				t.Fatalf("request %d: %d %q (%s), want 200", i, code, body, h.Get("x-loom-error"))
			}
		}
	})

	t.Run("exhausted", func(t *testing.T) {
		h, calls := flaky(100, 503)
		bad := startBackend(t, h)
		p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, bad.addr)}))
		if code, _, _ := get(t, c, base+"/"); code != 503 || calls.Load() != 3 {
			t.Errorf("retries exhausted: %d after %d calls, want the upstream's 503 after 3", code, calls.Load())
		}
	})

	t.Run("no policy", func(t *testing.T) {
		h, calls := flaky(1, 503)
		be := startBackend(t, h)
		p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
		if code, _, _ := get(t, c, base+"/"); code != 503 || calls.Load() != 1 {
			t.Errorf("without a retry policy: %d after %d calls, want 503 after 1", code, calls.Load())
		}
	})
}

// deadAddr is a loopback address nothing listens on: a socket bound to it,
// never listening, keeps the port from being handed to another listener
// (a freed port could come back as the proxy's own) and refuses connections.
func deadAddr(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

func TestLocalReplies(t *testing.T) {
	dead := deadAddr(t)
	empty := staticCluster("empty", cluster.HTTP1)
	p := startProxy(t, time.Second)
	rc := &route.Config{Name: "r", VirtualHosts: []*route.VirtualHost{
		{Name: "a", Domains: []string{"nocluster"}, Routes: []*route.Route{to("missing")}},
		{Name: "b", Domains: []string{"empty"}, Routes: []*route.Route{to("empty")}},
		{Name: "c", Domains: []string{"dead"}, Routes: []*route.Route{to("dead")}},
	}}
	p.apply(snap([]*listener.Config{httpListener("out", 0, rc)}, []*cluster.Config{empty, staticCluster("dead", cluster.HTTP1, dead)}))
	c, base := newClient(t), "http://"+p.addr("out")
	for host, want := range map[string]string{
		"nocluster": "503 cluster not found", "empty": "503 no healthy upstream",
		"dead": "503 upstream connect error", "other": "404 route not found",
	} {
		code, body, h := get(t, c, base+"/", "host", host)
		if got := strconv.Itoa(code) + " " + h.Get("x-loom-error"); got != want || body != h.Get("x-loom-error")+"\n" {
			t.Errorf("host %s: %s (body %q), want %s", host, got, body, want)
		}
	}
}

func TestFaultInjection(t *testing.T) {
	be := startBackend(t, text("ok"))
	abort := to("be")
	abort.Match.Path = "/abort"
	abort.Fault = &route.Fault{AbortMillionths: 1_000_000, AbortStatus: 418}
	delay := to("be")
	delay.Match.Path = "/delay"
	delay.Fault = &route.Fault{DelayMillionths: 1_000_000, Delay: 150 * time.Millisecond}
	half := to("be")
	half.Match.Path = "/half"
	half.Fault = &route.Fault{AbortMillionths: 500_000, AbortStatus: 503}
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(abort, delay, half))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
	c, base := newClient(t), "http://"+p.addr("out")
	if code, _, h := get(t, c, base+"/abort"); code != 418 || h.Get("x-loom-error") != "fault filter abort" {
		t.Errorf("abort: %d %q", code, h.Get("x-loom-error"))
	}
	start := time.Now()
	if code, body, _ := get(t, c, base+"/delay"); code != 200 || body != "ok" || time.Since(start) < 150*time.Millisecond {
		t.Errorf("delay: %d %q after %v, want 200 after ≥150ms", code, body, time.Since(start))
	}
	aborted := 0
	for i := 0; i < 400; i++ {
		if code, _, _ := get(t, c, base+"/half"); code == 503 {
			aborted++
		}
	}
	if aborted < 160 || aborted > 240 {
		t.Errorf("50%% abort: %d of 400 aborted", aborted)
	}
}
