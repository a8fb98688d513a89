package demo

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/loom-mesh/loom/internal/proxy/stats"
)

func TestParsePrometheus(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []Sample
		err      string
	}{
		{name: "comments and blanks", in: "# HELP x y\n\n# TYPE x counter\n"},
		{name: "no labels", in: "up 1\n", want: []Sample{{Name: "up", Value: 1}}},
		{name: "labels and timestamp", in: `a_total{x="1",y="two"} 3 1700000000` + "\n",
			want: []Sample{{Name: "a_total", Labels: map[string]string{"x": "1", "y": "two"}, Value: 3}}},
		{name: "escapes", in: `m{v="a\"b\\c\nd"} 1`, want: []Sample{{Name: "m", Labels: map[string]string{"v": "a\"b\\c\nd"}, Value: 1}}},
		{name: "empty labels and trailing comma", in: "m{} 2\nn{a=\"b\",} +Inf\n", want: []Sample{
			{Name: "m", Labels: map[string]string{}, Value: 2},
			{Name: "n", Labels: map[string]string{"a": "b"}, Value: math.Inf(1)}}},
		{name: "missing value", in: "m{a=\"b\"}\n", err: "line 1: m: want a value and an optional timestamp after the labels, got \"\""},
		{name: "bad value", in: "m 1x\n", err: `line 1: m: value "1x": strconv.ParseFloat: parsing "1x": invalid syntax`},
		{name: "unterminated labels", in: "m{a=\"b\" 1\n", err: "line 1: m: labels: want name=\"value\" at \"1\""},
		{name: "unterminated value", in: "m{a=\"b} 1\n", err: "line 1: m: label a: missing closing quote"},
		{name: "bad escape", in: `m{a="\x"} 1`, err: `line 1: m: label a: unknown escape \x`},
		{name: "no name", in: "{a=\"b\"} 1\n", err: "line 1: \"{a=\\\"b\\\"} 1\": want `name{labels} value`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePrometheus(strings.NewReader(tc.in), nil)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.err, gotErr); diff != "" {
				t.Fatalf("error (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func FuzzParsePrometheus(f *testing.F) {
	f.Add("a{b=\"c\"} 1\n# x\nd 2 3\n")
	f.Add(`m{v="a\"b\\c\nd"} 1`)
	f.Fuzz(func(t *testing.T, in string) {
		samples, err := ParsePrometheus(strings.NewReader(in), nil)
		if err != nil && samples != nil {
			t.Fatalf("samples %v returned with error %v", samples, err)
		}
	})
}

// The demo reads what Loom's proxy writes: render a real stats.Store and read it back.
func TestTotalsFromProxyStats(t *testing.T) {
	store := stats.NewStore()
	v1 := store.Istio(stats.Workload{Name: "reviews-v1", Namespace: "default", App: "reviews", Version: "v1", Service: "reviews.default.svc.cluster.local"})
	v2 := store.Istio(stats.Workload{Name: "reviews-v2", Namespace: "default", App: "reviews", Version: "v2", Service: "reviews.default.svc.cluster.local"})
	for i := range 100 {
		v1.Record(200, stats.ProtoHTTP, -1, 0, time.Duration(i)*100*time.Microsecond) // 0..9.9 ms
	}
	v2.Record(503, stats.ProtoHTTP, -1, 0, 30*time.Millisecond)
	v2.Record(200, stats.ProtoHTTP, -1, 0, 30*time.Millisecond)
	var buf bytes.Buffer
	if err := store.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	samples, err := ParsePrometheus(&buf, keepIstio)
	if err != nil {
		t.Fatal(err)
	}
	totals := Totals{}
	totals.addSamples(samples)
	d1 := Destination{Service: "reviews.default.svc.cluster.local", Version: "v1"}
	d2 := Destination{Service: "reviews.default.svc.cluster.local", Version: "v2"}
	if diff := cmp.Diff([]Destination{d1, d2}, totals.Sorted()); diff != "" {
		t.Fatalf("destinations (-want +got)\n%s", diff)
	}
	if c := totals[d1]; c.Requests != 100 || c.Errors != 0 || c.Latency.Total() != 100 {
		t.Errorf("v1: %+v", c)
	}
	if c := totals[d2]; c.Requests != 2 || c.Errors != 1 {
		t.Errorf("v2: %+v", c)
	}
	if p50 := totals[d1].Latency.Quantile(0.5); p50 < 1 || p50 > 5 {
		t.Errorf("v1 p50 %.2f ms, want within the 1..5 ms bucket", p50)
	}
}
