package proxy

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// A client that connected but never sent a byte (a port check, a slow
// client) must not hold the proxy's shutdown past the drain duration.
func TestDrainWithSilentClient(t *testing.T) {
	be := startBackend(t, text("ok"))
	p := startProxy(t, 300*time.Millisecond)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, be.addr)}))
	silent, err := net.Dial("tcp", p.addr("out"))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	waitFor(t, func() bool { return p.dp.stats.Listener("out").CxActive.Value() == 1 })
	p.stop()
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		t.Fatal("the data plane did not stop: a silent connection held the drain")
	}
	silent.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := silent.Read(make([]byte, 1)); err == nil {
		t.Errorf("silent connection read %d bytes, want it closed", n)
	}
}

// On shutdown the inbound listener drains first while the outbound one
// keeps serving: an app finishing a request it was handed can still call
// out (as Istio drains a sidecar). Once inbound is done, outbound drains and
// the proxy stops, long before the drain timeout.
func TestShutdownDrainsInboundBeforeOutbound(t *testing.T) {
	release := make(chan struct{})
	app := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "app done")
	}))
	upstream := startBackend(t, text("upstream"))
	in := httpListener("in", 0, routes(to("app")))
	in.Direction = listener.Inbound
	out := httpListener("out", 0, routes(to("upstream")))
	out.Direction = listener.Outbound
	p := startProxy(t, 10*time.Second)
	p.apply(snap([]*listener.Config{in, out}, []*cluster.Config{
		staticCluster("app", cluster.HTTP1, app.addr), staticCluster("upstream", cluster.HTTP1, upstream.addr)}))
	inAddr, outAddr := p.addr("in"), p.addr("out")
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock) // runs first: a failing test does not leave the app blocked

	inflight := make(chan string, 1)
	go func() {
		_, body, _ := get(t, newClient(t), "http://"+inAddr+"/")
		inflight <- body
	}()
	waitFor(t, func() bool { return p.dp.stats.Listener("in").CxActive.Value() == 1 })
	p.stop() // SIGTERM
	waitFor(t, func() bool { return !canDial(inAddr) })
	code, body, _ := get(t, newClient(t), "http://"+outAddr+"/")
	if code != 200 || body != "upstream" {
		t.Errorf("outbound call while inbound drains: %d %q, want 200 \"upstream\"", code, body)
	}
	unblock()
	if got := <-inflight; got != "app done" {
		t.Errorf("in-flight inbound request got %q, want \"app done\"", got)
	}
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		t.Fatal("the proxy did not stop once inbound had drained")
	}
	if canDial(outAddr) {
		t.Error("outbound listener still accepts after the proxy stopped")
	}
}

func canDial(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
