package proxy

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// slowBody answers a head and half a body at once, the rest after 300 ms.
func slowBody(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "10")
	w.WriteHeader(200)
	io.WriteString(w, "hello")
	w.(http.Flusher).Flush()
	time.Sleep(300 * time.Millisecond)
	io.WriteString(w, "world")
}

// perTryRoute retries 5xx twice with a 100 ms per-try timeout, within a 2 s
// route timeout.
func perTryRoute() *route.Route {
	r := to("be")
	r.Forward.Timeout = 2 * time.Second
	r.Forward.Retry = &route.RetryPolicy{On: route.Retry5xx, NumRetries: 2, PerTryTimeout: 100 * time.Millisecond}
	return r
}

// Once the response began, only the route timeout applies (as in Envoy): a
// body slower than the per-try timeout arrives whole, for every pair of
// client and cluster protocols.
func TestPerTryTimeoutDoesNotCutAStartedResponse(t *testing.T) {
	for _, tc := range protocolPairs(t, http.HandlerFunc(slowBody)) {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, time.Second)
			p.apply(snap([]*listener.Config{httpListener("out", 0, routes(perTryRoute()))},
				[]*cluster.Config{staticCluster("be", tc.proto, tc.backend)}))
			resp, err := tc.client.Get("http://" + p.addr("out") + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || err != nil || string(b) != "helloworld" {
				t.Errorf("got %d %q (%v), want 200 \"helloworld\"", resp.StatusCode, b, err)
			}
		})
	}
}

// A per-try timeout on a reused keep-alive connection is not a stale
// connection: the request is not sent again when the policy allows no retry.
func TestPerTryTimeoutOnReusedConnectionIsNotReplayed(t *testing.T) {
	var calls atomic.Int64
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		d, _ := time.ParseDuration(r.URL.Query().Get("sleep"))
		time.Sleep(d)
		io.WriteString(w, "done")
	}))
	r := to("be")
	r.Forward.Timeout = 5 * time.Second
	r.Forward.Retry = &route.RetryPolicy{On: route.RetryRetriableStatusCodes, RetriableStatusCodes: []uint32{409},
		PerTryTimeout: 150 * time.Millisecond}
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
	c := newClient(t)
	get(t, c, "http://"+p.addr("out")+"/?sleep=0s") // leaves a pooled connection
	calls.Store(0)
	req, _ := http.NewRequest("POST", "http://"+p.addr("out")+"/?sleep=400ms", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("status %d, want 504 (per-try timeout, no retry)", resp.StatusCode)
	}
	time.Sleep(400 * time.Millisecond) // a replay would reach the app by now
	if n := calls.Load(); n != 1 {
		t.Errorf("the app got the POST %d times, want once", n)
	}
}

// protocolPair is one way through the proxy: the client's protocol and the
// cluster's, with an upstream speaking the cluster's.
type protocolPair struct {
	name    string
	proto   cluster.Protocol
	backend string
	client  *http.Client
}

// protocolPairs starts an HTTP/1.1 and an h2c upstream running h and
// returns the four client/cluster protocol pairs.
func protocolPairs(t *testing.T, h http.Handler) []protocolPair {
	h1, h2 := startBackend(t, h), startH2C(t, h)
	return []protocolPair{
		{"h1 client, h1 cluster", cluster.HTTP1, h1.addr, newClient(t)},
		{"h2c client, h1 cluster", cluster.HTTP1, h1.addr, h2cClient(t)},
		{"h1 client, h2 cluster", cluster.HTTP2, h2.addr, newClient(t)},
		{"h2c client, h2 cluster", cluster.HTTP2, h2.addr, h2cClient(t)},
	}
}
