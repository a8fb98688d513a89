package proxy

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// load sends requests from n keep-alive clients until ctx ends and counts
// the answers by body; anything but a 200 is a failure.
func load(ctx context.Context, t *testing.T, url string, n int) (map[string]int, []string) {
	var mu sync.Mutex
	bodies := map[string]int{}
	var failures []string
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		c := newClient(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := c.Get(url)
				var body []byte
				if err == nil {
					body, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
					}
				}
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else {
					bodies[string(body)]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return bodies, failures
}

func TestConfigSwapUnderLoad(t *testing.T) {
	v1a, v1b, v2 := startBackend(t, text("v1")), startBackend(t, text("v1")), startBackend(t, text("v2"))
	p := startProxy(t, time.Second)
	configs := []*snapshot.Snapshot{
		swapConfig(map[string]uint32{"v1": 100}, v2.addr, v1a.addr),
		swapConfig(map[string]uint32{"v1": 80, "v2": 20}, v2.addr, v1a.addr, v1b.addr),
		swapConfig(map[string]uint32{"v2": 100}, v2.addr, v1b.addr),
		swapConfig(map[string]uint32{"v1": 50, "v2": 50}, v2.addr, v1b.addr),
	}
	p.apply(configs[0])
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	go func() {
		for i := 1; ctx.Err() == nil; i++ {
			p.apply(configs[i%len(configs)])
			time.Sleep(15 * time.Millisecond)
		}
	}()
	bodies, failures := load(ctx, t, "http://"+p.addr("out")+"/", 8)
	if len(failures) > 0 {
		t.Fatalf("%d requests failed during config swaps, want 0; first: %v", len(failures), failures[0])
	}
	if bodies["v1"] == 0 || bodies["v2"] == 0 {
		t.Errorf("served %v, want both versions", bodies)
	}
	t.Logf("served %v", bodies)
}

// swapConfig routes by weight to clusters v1 (the given endpoints) and v2;
// every call returns new config structs, as the xDS client does.
func swapConfig(split map[string]uint32, v2 string, v1 ...string) *snapshot.Snapshot {
	r := weighted(split)
	r.RequestHeaders = route.HeaderMutation{Set: []route.Header{{Name: "x-config", Value: fmt.Sprint(split)}}}
	return snap([]*listener.Config{httpListener("out", 0, routes(r))}, []*cluster.Config{
		staticCluster("v1", cluster.HTTP1, v1...),
		staticCluster("v2", cluster.HTTP1, v2),
	})
}

func TestDrain(t *testing.T) {
	release, slowStarted := make(chan struct{}), make(chan struct{})
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(slowStarted)
			<-release
		}
		io.WriteString(w, "done")
	}))
	p := startProxy(t, 5*time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
	addr := p.addr("out")

	idle, err := net.Dial("tcp", addr) // a keep-alive connection, idle when the drain starts
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 4096)
	if n, err := idle.Read(buf); err != nil || n == 0 {
		t.Fatalf("first response on the idle connection: %v", err)
	}

	inflight := make(chan error, 1)
	c := newClient(t)
	go func() {
		resp, err := c.Get("http://" + addr + "/slow")
		if err != nil {
			inflight <- err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 || string(body) != "done" || !resp.Close {
			inflight <- fmt.Errorf("in-flight request: %d %q (%v), Connection: close %v; want 200 done with Connection: close", resp.StatusCode, body, err, resp.Close)
			return
		}
		inflight <- nil
	}()
	// The upstream has the request (waiting for the active-request gauge
	// could see the /fast exchange, which a client reads before it ends).
	<-slowStarted
	p.stop()
	waitFor(t, func() bool { return p.dp.server.Draining() })
	if p.dp.server.Ready() {
		t.Error("Ready during drain, want false")
	}
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := idle.Read(buf); err == nil {
		t.Errorf("idle keep-alive connection got %d bytes during drain, want it closed", n)
	}
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case <-p.done:
		t.Fatal("data plane stopped while a request was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-inflight; err != nil {
		t.Error(err)
	}
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		t.Fatal("data plane did not stop after the last request finished")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDrainHTTP2(t *testing.T) {
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	release, slowStarted := make(chan struct{}), make(chan struct{})
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(slowStarted)
		<-release
		io.WriteString(w, "done")
	}), func(s *http.Server) { s.Protocols = &protos })
	p := startProxy(t, 5*time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP2, be.addr)}))
	tr := &http.Transport{Protocols: &protos}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	url := "http://" + p.addr("out") + "/"
	inflight := make(chan error, 1)
	go func() {
		resp, err := c.Get(url)
		if err == nil {
			var body []byte
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && (resp.StatusCode != 200 || string(body) != "done") {
				err = fmt.Errorf("in-flight stream: %d %q", resp.StatusCode, body)
			}
		}
		inflight <- err
	}()
	<-slowStarted // the upstream has the request
	p.stop()
	waitFor(t, func() bool { return p.dp.server.Draining() })
	close(release)
	if err := <-inflight; err != nil {
		t.Errorf("stream in flight during drain: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		t.Fatal("data plane did not stop after the last stream finished")
	}
}
