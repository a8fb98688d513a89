package demo

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const exposition = `# TYPE istio_requests_total counter
istio_requests_total{reporter="destination",destination_service="reviews.default.svc.cluster.local",destination_version="v1",response_code="200"} %d
istio_requests_total{reporter="destination",destination_service="reviews.default.svc.cluster.local",destination_version="v1",response_code="503"} %d
istio_request_duration_milliseconds_bucket{reporter="destination",destination_service="reviews.default.svc.cluster.local",destination_version="v1",response_code="200",le="1"} %d
istio_request_duration_milliseconds_bucket{reporter="destination",destination_service="reviews.default.svc.cluster.local",destination_version="v1",response_code="200",le="+Inf"} %d
envoy_cluster_upstream_rq_total{cluster_name="x"} 7
`

func statsServer(t *testing.T, body *string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/stats/prometheus" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(*body))
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func fill(ok, bad int) string { return fmt.Sprintf(exposition, ok, bad, ok, ok) }

func TestScrapeWindowAndTable(t *testing.T) {
	body := fill(10, 0)
	s := &Scraper{Admins: []string{statsServer(t, &body)}, Client: &http.Client{}}
	ctx := context.Background()
	base, err := s.Scrape(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	w := &window{span: 3 * time.Second, baseline: base}
	w.add(start, base)
	body = fill(110, 100)
	next, err := s.Scrape(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.add(start.Add(2*time.Second), next)
	rows := w.rows()
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	want := Row{Destination: Destination{"reviews.default.svc.cluster.local", "v1"}, RPS: 100, SuccessRate: 0.5, P50: 0.5, P99: 0.99, Total: 200}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("row (-want +got)\n%s", diff)
	}
	var out strings.Builder
	v := &tableView{out: &out, header: []string{"header"}}
	v.render(2*time.Second, rows, ClientStats{Sent: 5, Failed: 1, LastError: "boom"})
	got := out.String()
	for _, s := range []string{"--- 2s", "SERVICE", "reviews", "v1", "100.0", "50.00%", "0.50", "0.99", "200", "5 requests sent, 1 failed (last: boom)"} {
		if !strings.Contains(got, s) {
			t.Errorf("table lacks %q:\n%s", s, got)
		}
	}
}

func TestScrapeReportsDeadProxy(t *testing.T) {
	body := fill(1, 0)
	s := &Scraper{Admins: []string{statsServer(t, &body), "127.0.0.1:1"}, Client: &http.Client{}}
	got, err := s.Scrape(context.Background())
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1/stats/prometheus") {
		t.Errorf("error %v, want one naming the dead proxy", err)
	}
	if len(got) != 1 {
		t.Errorf("the live proxy's counts were dropped: %v", got)
	}
}

func TestSummaryHasNoNaN(t *testing.T) {
	delta := Totals{{"ratings.default.svc.cluster.local", "v1"}: {Requests: 0, Latency: &Histogram{}}}
	s := summarize(time.Second, nil, ClientStats{}, delta)
	if d := s.Destinations[0]; d.Service != "ratings" || math.IsNaN(d.P50Ms) {
		t.Errorf("summary %+v", d)
	}
}
