package proxy

import (
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// With max_connections 1 and max_pending_requests 1, of three concurrent
// requests one is served, one waits for the connection, one overflows.
func TestCircuitBreaker(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		io.WriteString(w, "ok")
	}))
	cl := staticCluster("be", cluster.HTTP1, be.addr)
	cl.Limits = cluster.Limits{MaxConnections: 1, MaxPendingRequests: 1}
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{cl}))
	c, url := newClient(t), "http://"+p.addr("out")+"/"
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	active := p.dp.stats.HTTP("out")
	pending := p.dp.stats.Cluster("be")
	for i := 0; i < 3; i++ {
		switch i { // send each request once the previous one holds its place
		case 1:
			waitFor(t, func() bool { return active.RqActive.Value() == 1 })
		case 2:
			waitFor(t, func() bool { return pending.RqPending.Value() == 1 })
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(url)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			got = append(got, resp.Status+" "+resp.Header.Get("x-loom-error"))
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Strings(got)
	want := []string{"200 OK ", "200 OK ", "503 Service Unavailable upstream overflow"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("responses (-want +got):\n%s", diff)
	}
	if n := be.connections(); n != 1 {
		t.Errorf("upstream saw %d connections, want 1 (max_connections)", n)
	}
}
