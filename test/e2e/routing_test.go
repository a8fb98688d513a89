package e2e

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/demo"
	"github.com/loom-mesh/loom/internal/mesh"
)

// bookinfo is a running Bookinfo mesh with the routing sample files applied so far.
type bookinfo struct {
	*mesh.Mesh
	page    *pageClient
	applied []string
}

const bookinfoProxies = 6

// startBookinfo starts Bookinfo with destination-rule-all.yaml and files.
func startBookinfo(t *testing.T, files map[string][]byte, proxyArgs ...string) *bookinfo {
	t.Helper()
	contents := samples(t, "destination-rule-all.yaml")
	for name, data := range files {
		contents[name] = data
	}
	m := startMesh(t, mesh.Bookinfo(), contents, proxyArgs...)
	pp := workload(t, m, "productpage-v1")
	b := &bookinfo{Mesh: m, page: newPageClient(t, "http://"+pp.Inbound+"/productpage")}
	settled(t, m.Plan().ControlPlaneAdmin(), bookinfoProxies, 10*time.Second, 300*time.Millisecond)
	return b
}

// apply makes files the routing samples in the config directory (removing the
// previous ones first) and waits until every proxy has ACKed the result.
func (b *bookinfo) apply(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range b.applied {
		if !slices.Contains(files, f) {
			if err := b.RemoveFile(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		if err := b.WriteFile(f, sample(t, f)); err != nil {
			t.Fatal(err)
		}
	}
	b.applied = files
	d := settled(t, b.Plan().ControlPlaneAdmin(), bookinfoProxies, 10*time.Second, 300*time.Millisecond)
	t.Logf("%v applied and ACKed by every proxy in %v", files, d.Round(time.Millisecond))
}

// split sends n requests and checks each version's share is within ±3 points.
func (b *bookinfo) split(t *testing.T, n int, want map[string]float64) {
	t.Helper()
	got := tallyOf(b.page.batch(context.Background(), n, 8, anyone))
	t.Log(got)
	if len(got.failures) > 0 {
		t.Errorf("%d of %d requests failed, first: %s", len(got.failures), n, got.failures[0])
	}
	for v := range got.byVersion {
		if _, ok := want[v]; !ok {
			t.Errorf("reviews %s served %d requests, want none", v, got.byVersion[v])
		}
	}
	for v, share := range want {
		if d := math.Abs(got.share(v) - share); d > 0.03 {
			t.Errorf("reviews %s: %.1f%% of requests, want %.0f%% ± 3", v, 100*got.share(v), 100*share)
		}
	}
}

// only sends n requests as user and checks every one was served by version.
func (b *bookinfo) only(t *testing.T, n int, user, version string) {
	t.Helper()
	got := tallyOf(b.page.batch(context.Background(), n, 8, func(int) string { return user }))
	if len(got.failures) > 0 || got.byVersion[version] != n {
		t.Errorf("end-user %q: %v; want all %d served by reviews %s", user, got, n, version)
	}
}

// requestsTo counts the requests a workload's sidecar has received (istio_requests_total).
func requestsTo(t *testing.T, m *mesh.Mesh, workloadName string) float64 {
	t.Helper()
	w := workload(t, m, workloadName)
	totals, err := (&demo.Scraper{Admins: []string{w.Admin}, Client: oneShot}).Scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, c := range totals {
		n += c.Requests
	}
	return n
}

// The routing samples behave as samples/istio-bookinfo/README.md says,
// through real proxies, one after the other in one mesh.
func TestBookinfoRoutingSamples(t *testing.T) {
	b := startBookinfo(t, nil)
	const n = 2000
	third := 1.0 / 3
	t.Run("destination-rule-all: no change, every version serves", func(t *testing.T) {
		got := tallyOf(b.page.batch(context.Background(), 600, 8, anyone))
		if len(got.failures) > 0 || got.share("v1") < 0.2 || got.share("v2") < 0.2 || got.share("v3") < 0.2 {
			t.Errorf("%v; want v1, v2 and v3 each near %.0f%%", got, 100*third)
		}
	})
	t.Run("all-v1", func(t *testing.T) {
		b.apply(t, "virtual-service-all-v1.yaml")
		b.only(t, 300, "", "v1")
		b.only(t, 100, "jason", "v1")
	})
	for _, tc := range []struct {
		file string
		want map[string]float64
	}{
		{"virtual-service-reviews-80-20.yaml", map[string]float64{"v1": 0.8, "v2": 0.2}},
		{"virtual-service-reviews-50-v3.yaml", map[string]float64{"v1": 0.5, "v3": 0.5}},
		{"virtual-service-reviews-v2-v3.yaml", map[string]float64{"v2": 0.5, "v3": 0.5}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b.apply(t, tc.file)
			b.split(t, n, tc.want)
		})
	}
	t.Run("reviews-test-v2: jason gets v2, everyone else v1", func(t *testing.T) {
		b.apply(t, "virtual-service-reviews-test-v2.yaml")
		before := requestsTo(t, b.Mesh, "ratings-v1")
		b.only(t, 200, "jason", "v2")
		if got := requestsTo(t, b.Mesh, "ratings-v1") - before; got != 200 {
			t.Errorf("ratings received %v requests for jason's 200 pages via reviews v2, want 200", got)
		}
		for _, user := range []string{"", "Jason", "jason2", "mallory"} {
			b.only(t, 100, user, "v1")
		}
	})
	t.Run("reviews-jason-v2-v3", func(t *testing.T) {
		b.apply(t, "virtual-service-reviews-jason-v2-v3.yaml")
		b.only(t, 200, "jason", "v2")
		b.only(t, 200, "", "v3")
	})
	t.Run("ratings-test-abort: jason gets HTTP 500 without reaching ratings", func(t *testing.T) {
		b.apply(t, "virtual-service-reviews-test-v2.yaml", "virtual-service-ratings-test-abort.yaml")
		before := requestsTo(t, b.Mesh, "ratings-v1")
		for _, r := range b.page.batch(context.Background(), 100, 8, jason) {
			if r.reply == nil {
				t.Fatalf("jason's page failed: %s", r.failure())
			}
			if r.reviews() != "v2" || r.reply.Reviews.Reply.Ratings == nil || r.reply.Reviews.Reply.Ratings.Status != 500 {
				t.Fatalf("jason's page: reviews %q, ratings %+v; want reviews v2 and ratings HTTP 500", r.reviews(), r.reply.Reviews)
			}
		}
		if got := requestsTo(t, b.Mesh, "ratings-v1") - before; got != 0 {
			t.Errorf("ratings received %v requests; the fault must answer without reaching it", got)
		}
		b.only(t, 100, "", "v1")
	})
	t.Run("ratings-test-delay: jason's ratings take 7 s, others are not delayed", func(t *testing.T) {
		b.apply(t, "virtual-service-reviews-test-v2.yaml", "virtual-service-ratings-test-delay.yaml")
		checkDelay(t, b)
	})
}

// checkDelay measures one delayed request for jason while others run undelayed.
func checkDelay(t *testing.T, b *bookinfo) {
	var wg sync.WaitGroup
	var slow result
	wg.Go(func() { slow = b.page.get(context.Background(), "jason") })
	for _, r := range b.page.batch(context.Background(), 100, 4, anyone) {
		if d := r.done.Sub(r.sent); r.failure() != "" || d > time.Second {
			t.Errorf("unrelated request took %v (failure %q): the delay must apply to jason only", d, r.failure())
			break
		}
	}
	wg.Wait()
	d := slow.done.Sub(slow.sent)
	t.Logf("jason's page took %v", d.Round(time.Millisecond))
	if slow.failure() != "" || d < 7*time.Second || d > 9*time.Second {
		t.Errorf("jason's page: %v, failure %q; want served after the 7 s delay", d, slow.failure())
	}
	if slow.reviews() != "v2" || slow.failure() != "" {
		t.Errorf("jason's page not served by reviews v2 with ratings: %+v", slow.reply)
	}
}
