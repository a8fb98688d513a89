package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// countBody answers with the size of the request body, once it has it all.
func countBody(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	fmt.Fprintf(w, "got %d", n)
}

// slowUpload sends 6 KB in 1 KB pieces 100 ms apart (about 600 ms).
func slowUpload() io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 6; i++ {
			pw.Write([]byte(strings.Repeat("x", 1000)))
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	return pr
}

// The route and per-try timeouts start when the request is complete, as
// Envoy's: an upload slower than either, to an upstream that answers once
// it has the body, succeeds, for every client and cluster protocol pair.
func TestTimeoutsStartAtTheEndOfTheRequest(t *testing.T) {
	for _, timeout := range []struct {
		name string
		set  func(*route.Route)
	}{
		{"route timeout", func(r *route.Route) { r.Forward.Timeout = 300 * time.Millisecond }},
		{"per-try timeout", func(r *route.Route) {
			r.Forward.Retry = &route.RetryPolicy{On: route.RetryConnectFailure, NumRetries: 1, PerTryTimeout: 300 * time.Millisecond}
		}},
	} {
		for _, tc := range protocolPairs(t, http.HandlerFunc(countBody)) {
			t.Run(timeout.name+", "+tc.name, func(t *testing.T) {
				r := to("be")
				timeout.set(r)
				p := startProxy(t, time.Second)
				p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("be", tc.proto, tc.backend)}))
				resp, err := tc.client.Post("http://"+p.addr("out")+"/", "application/octet-stream", slowUpload())
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "got 6000" {
					t.Errorf("got %d %q (%s), want 200 \"got 6000\"", resp.StatusCode, b, resp.Header.Get("x-loom-error"))
				}
			})
		}
	}
}

// The stream idle timeout firing while a request waits in the pool for a
// connection ends the exchange: the connection it then gets fails at once
// and the client is answered, not left waiting on the upstream.
func TestStreamIdleTimeoutWhileWaitingForAConnection(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			for i := 0; i < 20; i++ { // 1 s, never idle for 150 ms
				io.WriteString(w, "x")
				w.(http.Flusher).Flush()
				time.Sleep(50 * time.Millisecond)
			}
			return
		}
		pause(r, 3*time.Second)
		io.WriteString(w, "second")
	}))
	r := to("be")
	r.Forward.Timeout = 800 * time.Millisecond
	l := httpListener("out", 0, routes(r))
	l.Chain.HTTP.StreamIdleTimeout = 150 * time.Millisecond
	cl := staticCluster("be", cluster.HTTP1, be.addr)
	cl.Limits = cluster.Limits{MaxConnections: 1, MaxPendingRequests: 10}
	cl.ConnectTimeout = 2 * time.Second
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{l}, []*cluster.Config{cl}))
	first := make(chan struct{})
	go func() {
		defer close(first)
		if resp, err := newClient(t).Get("http://" + p.addr("out") + "/first"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	defer func() { <-first }()
	time.Sleep(50 * time.Millisecond) // the first request holds the only connection
	start := time.Now()
	resp, err := newClient(t).Get("http://" + p.addr("out") + "/second")
	if err != nil {
		t.Fatalf("second request: %v after %v, want an answer", err, time.Since(start))
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusRequestTimeout || took > 1500*time.Millisecond {
		t.Errorf("second request: %d after %v, want 408 (stream timeout) once the connection is free (about 1 s)", resp.StatusCode, took)
	}
}

// The route timeout still bounds the wait for the response once the
// request is complete.
func TestRouteTimeoutBoundsTheResponse(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(time.Second)
	})
	h1 := startBackend(t, slow)
	r := to("be")
	r.Forward.Timeout = 200 * time.Millisecond
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, h1.addr)}))
	for _, c := range []*http.Client{newClient(t), h2cClient(t)} {
		start := time.Now()
		resp, err := c.Post("http://"+p.addr("out")+"/", "text/plain", strings.NewReader("body"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if took := time.Since(start); resp.StatusCode != http.StatusGatewayTimeout || took > 800*time.Millisecond {
			t.Errorf("%s: %d after %v, want 504 after about 200 ms", resp.Proto, resp.StatusCode, took)
		}
	}
}

// A bidirectional gRPC stream is not cut by the route timeout while the
// client is still sending: the timeout starts when the client half-closes.
func TestRouteTimeoutSparesAnOpenGRPCStream(t *testing.T) {
	app := startGRPC(t)
	r := to("g")
	r.Forward.Timeout = 300 * time.Millisecond
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{staticCluster("g", cluster.HTTP2, app)}))
	client := dialGRPC(t, p.addr("out"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := client.FullDuplexCall(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ { // 800 ms, well past the route timeout
		if err := stream.Send(&testgrpc.StreamingOutputCallRequest{Payload: &testgrpc.Payload{Body: []byte("m")}}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("recv %d after %d ms: %v", i, i*100, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Errorf("after half-close: %v, want the stream's end", err)
	}
}
