package xdsclient

import (
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

func TestServerRestartKeepsConfigThenResyncs(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, delta bool) {
		cp := xdstest.Start(t, "127.0.0.1:0")
		set(cp, "1", xdstest.BaseMesh(t, "127.0.2.1"))
		c, sink := startClient(t, cp.Addr, delta, nil)
		<-c.Synced()
		before := c.Snapshot()

		cp.Stop()
		waitUntil(t, "the client to notice", func() bool { return !c.Status().Connected })
		published := len(sink.all())
		time.Sleep(300 * time.Millisecond) // several reconnection attempts
		if len(sink.all()) != published || c.Snapshot() != before {
			t.Fatal("the configuration changed while the control plane was gone")
		}
		if c.Status().LastError == "" {
			t.Error("no error reported for the lost stream")
		}

		// A new control plane on the same address, with other content: the
		// client resyncs, including the removal of listener 9080.
		cp2 := xdstest.Start(t, cp.Addr)
		m := xdstest.BaseMesh(t, "127.0.2.9")
		m.Listeners = []types.Resource{xdstest.HTTPListener(t, 9081, "9080")}
		set(cp2, "7", m)
		sink.waitFor(t, "the new control plane's config", func(s *snapshot.Snapshot) bool {
			return hasEndpoint(s, xdstest.Reviews, "127.0.2.9:9080") && s.Listeners[xdstest.ListenerName(9081)] != nil && s.Listeners[xdstest.ListenerName(9080)] == nil
		})
		if !c.Status().Connected {
			t.Error("not connected after resync")
		}
		checkConsistent(t, sink.all())
	})
}

func TestBackoff(t *testing.T) {
	b := Backoff{}.withDefaults()
	for n, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second} {
		for range 20 {
			if d := b.Delay(n); d < want/2 || d > want {
				t.Fatalf("Delay(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
	if d := b.Delay(100); d < 15*time.Second || d > 30*time.Second {
		t.Errorf("Delay(100) = %v, want capped at 30s", d)
	}
}
