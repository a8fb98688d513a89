package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// With the control plane killed, proxies keep serving their last config; a
// change made meanwhile is applied once it is back.
func TestControlPlaneKilledAndRestarted(t *testing.T) {
	b := startBookinfo(t, map[string][]byte{"reviews.yaml": sample(t, "virtual-service-reviews-test-v2.yaml")})
	b.only(t, 50, "", "v1")
	load := startLoad(b.page, 100, anyone)

	if err := b.ControlPlane().Kill(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	// Everyone else → v3 from now on, but nobody is there to tell the proxies.
	if err := b.WriteFile("reviews.yaml", sample(t, "virtual-service-reviews-jason-v2-v3.yaml")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	during := load.snapshot()
	if got := tallyOf(during); len(got.failures) > 0 || got.byVersion["v1"] != got.n {
		t.Fatalf("while the control plane was down: %v; want every request served by v1 (the last config)", got)
	}

	if err := b.RestartControlPlane(context.Background()); err != nil {
		t.Fatal(err)
	}
	resync := eventually(t, 30*time.Second, "proxies resync after restart", func() error {
		if r := b.page.get(context.Background(), ""); r.reviews() != "v3" {
			return fmt.Errorf("served by %q (%s)", r.reviews(), r.failure())
		}
		return nil
	})
	settled(t, b.Plan().ControlPlaneAdmin(), bookinfoProxies, 30*time.Second, 300*time.Millisecond)
	b.only(t, 50, "", "v3")
	b.only(t, 50, "jason", "v2")
	results := load.stop()
	t.Logf("%d requests; %d while the control plane was down; change applied %v after restart",
		len(results), len(during), resync.Round(time.Millisecond))
	if f := tallyOf(results).failures; len(f) > 0 {
		t.Errorf("%d of %d requests failed across the kill and restart; first: %s", len(f), len(results), f[0])
	}
}
