package stats

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIstioPrometheus(t *testing.T) {
	s := NewStore()
	m := s.Istio(Workload{Name: "reviews-v2", Namespace: "default", App: "reviews", Version: "v2", Service: "reviews.default.svc.cluster.local"})
	if s.Istio(Workload{Name: "reviews-v2", Namespace: "default", App: "reviews", Version: "v2", Service: "reviews.default.svc.cluster.local"}) != m {
		t.Fatal("same workload got a second recorder")
	}
	m.Record(200, ProtoHTTP, -1, FlagNone, 3*time.Millisecond)
	m.Record(200, ProtoHTTP, -1, FlagNone, 700*time.Microsecond)
	m.Record(503, ProtoHTTP, -1, FlagUpstreamConnectFail, 2*time.Hour)
	m.Record(200, ProtoGRPC, 0, FlagNone, time.Millisecond)
	s.Cluster("inbound|9080||").RqTotal.Add(4)

	var b strings.Builder
	if err := s.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	line := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [0-9.e+-]+$`)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, "#") && !line.MatchString(l) {
			t.Errorf("not a Prometheus sample line: %q", l)
		}
	}
	want := []string{
		`envoy_cluster_upstream_rq_total{cluster_name="inbound|9080||"} 4`,
		`destination_app="reviews",destination_version="v2",destination_service="reviews.default.svc.cluster.local"`,
		`request_protocol="http",response_code="200",grpc_response_status="",response_flags="-"} 2`,
		`request_protocol="http",response_code="503",grpc_response_status="",response_flags="UF"} 1`,
		`request_protocol="grpc",response_code="200",grpc_response_status="0",response_flags="-"} 1`,
		`response_code="200",grpc_response_status="",response_flags="-",le="1"} 1`,
		`response_code="200",grpc_response_status="",response_flags="-",le="5"} 2`,
		`response_code="503",grpc_response_status="",response_flags="UF",le="3600000"} 0`,
		`response_code="503",grpc_response_status="",response_flags="UF",le="+Inf"} 1`,
		`response_flags="-"} 3.7`, // _sum in ms
		`reporter="destination"`,
		"# TYPE istio_request_duration_milliseconds histogram",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q\n%s", w, out)
		}
	}
}

func TestConcurrentRecord(t *testing.T) {
	m := NewStore().Istio(Workload{Name: "w"})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				m.Record(200+i%3, ProtoHTTP, -1, FlagNone, time.Millisecond)
			}
		}()
	}
	wg.Wait()
	var total uint64
	for _, s := range m.sorted() {
		total += s.count.Load()
	}
	if total != 4000 {
		t.Errorf("recorded %d requests, want 4000", total)
	}
}

func TestEnvoyText(t *testing.T) {
	s := NewStore()
	s.HTTP("inbound_0.0.0.0_9080").Response(503)
	s.Listener("127.0.0.1_9080").CxTotal.Inc()
	var b strings.Builder
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"http.inbound_0.0.0.0_9080.downstream_rq_5xx: 1", "listener.127.0.0.1_9080.downstream_cx_total: 1"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	m := NewStore().Istio(Workload{Name: "w"})
	b.ReportAllocs()
	for b.Loop() {
		m.Record(200, ProtoHTTP, -1, FlagNone, 2*time.Millisecond)
	}
}
