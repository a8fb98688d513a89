package proxy

import (
	"net"
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
