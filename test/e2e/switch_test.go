package e2e

import (
	"context"
	"testing"
	"time"
)

// Rewriting reviews from 80/20 to 0/100 in place reaches the proxy in under a
// second, and no request fails under steady load during and after the switch;
// with proxies on state-of-the-world xDS and on delta xDS.
func TestSwitchReviews80To0Under1s(t *testing.T) {
	t.Run("sotw", func(t *testing.T) { testSwitch(t) })
	t.Run("delta", func(t *testing.T) { testSwitch(t, "--xds-delta") })
}

func testSwitch(t *testing.T, proxyArgs ...string) {
	b := startBookinfo(t, map[string][]byte{"reviews.yaml": []byte(vsWeights("reviews", "v1", 80, "v2", 20))}, proxyArgs...)
	cp := b.Plan().ControlPlaneAdmin()
	st, err := syncz(context.Background(), cp)
	if err != nil {
		t.Fatal(err)
	}
	before := ackedVersion(st, "productpage-v1", "RDS")

	load := startLoad(b.page, 200, anyone)
	time.Sleep(time.Second)
	written := time.Now()
	if err := b.WriteFile("reviews.yaml", []byte(vsWeights("reviews", "v1", 0, "v2", 100))); err != nil {
		t.Fatal(err)
	}
	acked := waitACK(t, cp, "productpage-v1", "RDS", before)
	time.Sleep(2 * time.Second)
	results := load.stop()

	toACK := acked.Sub(written)
	applied := appliedAt(results, written, "v2")
	t.Logf("%d requests; write → first request of the all-v2 run: %v; write → productpage's RDS ACK observed: %v",
		len(results), applied.Sub(written).Round(time.Millisecond), toACK.Round(time.Millisecond))
	if applied.IsZero() || applied.Sub(written) > time.Second {
		t.Errorf("new routing took %v to apply, want under 1s", applied.Sub(written))
	}
	if toACK > time.Second {
		t.Errorf("productpage's proxy ACKed the new routes %v after the write, want under 1s", toACK)
	}
	failed := tallyOf(results).failures
	if len(failed) > 0 {
		t.Errorf("%d of %d requests failed during/after the switch; first: %s", len(failed), len(results), failed[0])
	}
}

// appliedAt is the send time of the first request after which every request
// sent was served by version (zero if that never happened).
func appliedAt(results []result, since time.Time, version string) time.Time {
	var at time.Time
	for _, r := range results {
		if r.sent.Before(since) {
			continue
		}
		if r.reviews() != version {
			at = time.Time{}
		} else if at.IsZero() {
			at = r.sent
		}
	}
	return at
}

// waitACK polls /debug/syncz until the workload's proxy has ACKed a version of
// typ other than before, and returns when that was seen.
func waitACK(t *testing.T, cp, workload, typ, before string) time.Time {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st, err := syncz(context.Background(), cp)
		if err == nil {
			if v := ackedVersion(st, workload, typ); v != "" && v != before {
				return time.Now()
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never ACKed a %s version other than %q", workload, typ, before)
	return time.Time{}
}
