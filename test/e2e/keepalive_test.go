package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/mesh"
	"github.com/loom-mesh/loom/internal/sampleapp"
)

// keepAliveMesh: a client sidecar calling an HTTP server that closes idle
// keep-alive connections after 3 s, and one that answers `Connection: close`.
func keepAliveMesh() mesh.Spec {
	echo := func(args ...string) *mesh.App { return &mesh.App{Kind: sampleapp.KindHTTPEcho, Args: args} }
	return mesh.Spec{
		Services: []mesh.Service{
			{Name: "idle-close", Port: 8080, Protocol: mesh.HTTP},
			{Name: "conn-close", Port: 8081, Protocol: mesh.HTTP},
		},
		Workloads: []mesh.Workload{
			{Name: "client", Version: "v1", Calls: []string{"idle-close", "conn-close"}},
			{Name: "idle-close-v1", Service: "idle-close", Version: "v1", App: echo("--idle-timeout=3s")},
			{Name: "conn-close-v1", Service: "conn-close", Version: "v1", App: echo("--connection-close")},
		},
	}
}

// echoClient calls one service through the client's sidecar.
type echoClient struct {
	url  string
	http *http.Client
}

// call sends a GET, or a POST with a 1 KiB body when post is set; it returns
// why the request failed, or "".
func (c *echoClient) call(post bool) string {
	method, body := http.MethodGet, []byte(nil)
	if post {
		method, body = http.MethodPost, bytes.Repeat([]byte("x"), 1024)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.url, bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "reading body: " + err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("%s %s: %s", method, resp.Status, truncate(string(b)))
	}
	return ""
}

// burst sends n requests at once (half GET, half POST) and returns the failures.
func (c *echoClient) burst(n int) []string {
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if f := c.call(i%2 == 1); f != "" {
				mu.Lock()
				failed = append(failed, f)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}

func newEchoClient(t *testing.T, addr string) *echoClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &echoClient{url: "http://" + addr + "/echo", http: &http.Client{Transport: tr}}
}

// Neither an upstream closing idle connections after 3 s (bursts separated by
// gaps around 3 s) nor one answering `Connection: close` fails a request.
func TestUpstreamConnectionClosesNeverFailRequests(t *testing.T) {
	t.Parallel()
	m := startMesh(t, keepAliveMesh(), nil)
	client := workload(t, m, "client")
	t.Run("idle keep-alive closed after 3s", func(t *testing.T) {
		c := newEchoClient(t, client.Egress["idle-close"])
		total := 0
		for _, gap := range []time.Duration{0, 2900, 3000, 3050, 3100, 3300, 4000} {
			time.Sleep(gap * time.Millisecond)
			failed := c.burst(40)
			total += 40
			if len(failed) > 0 {
				t.Errorf("burst after %dms idle: %d of 40 failed; first: %s", gap, len(failed), failed[0])
			}
		}
		t.Logf("%d requests in bursts with idle gaps around the upstream's 3s idle timeout", total)
	})
	t.Run("Connection: close", func(t *testing.T) {
		c := newEchoClient(t, client.Egress["conn-close"])
		for i := range 10 {
			if failed := c.burst(30); len(failed) > 0 {
				t.Fatalf("burst %d: %d of 30 failed; first: %s", i, len(failed), failed[0])
			}
		}
	})
}
