package registry

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/loom-mesh/loom/internal/config"
)

func TestWorkloadIndexSelected(t *testing.T) {
	ws := []*Workload{
		{Name: "reviews-v1", Labels: map[string]string{"app": "reviews", "version": "v1"}},
		{Name: "reviews-v2", Labels: map[string]string{"app": "reviews", "version": "v2"}},
		{Name: "ratings-v1", Labels: map[string]string{"app": "ratings", "version": "v1"}},
		{Name: "bare"},
	}
	idx := newWorkloadIndex()
	for _, w := range ws {
		idx.add(w)
	}
	tests := []struct {
		name     string
		selector map[string]string
		want     []string
	}{
		{"one label", map[string]string{"app": "reviews"}, []string{"reviews-v1", "reviews-v2"}},
		{"two labels", map[string]string{"app": "reviews", "version": "v2"}, []string{"reviews-v2"}},
		{"shared label keeps insertion order", map[string]string{"version": "v1"}, []string{"reviews-v1", "ratings-v1"}},
		{"value nobody has", map[string]string{"app": "details"}, nil},
		{"pairs from different workloads", map[string]string{"app": "ratings", "version": "v2"}, nil},
		{"empty selector selects all", map[string]string{}, []string{"reviews-v1", "reviews-v2", "ratings-v1", "bare"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range idx.selected(tt.selector) {
				got = append(got, w.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("selected(%v) = %v, want %v", tt.selector, got, tt.want)
			}
		})
	}
	var none *workloadIndex
	if got := none.selected(map[string]string{"app": "x"}); got != nil {
		t.Errorf("nil index selected %v, want none", got)
	}
}

// BenchmarkFromConfig1000Services is the registry rebuild after a
// WorkloadEntry change in a one-namespace mesh of 1,000 services × 3
// endpoints, each ServiceEntry selecting its own app label.
func BenchmarkFromConfig1000Services(b *testing.B) {
	var y strings.Builder
	for s := range 1000 {
		fmt.Fprintf(&y, `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc%[1]d}
spec:
  hosts: [svc%[1]d]
  resolution: STATIC
  ports: [{number: 8080, name: http}]
  workloadSelector: {labels: {app: svc%[1]d}}
---
`, s)
		for e := range 3 {
			fmt.Fprintf(&y, `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: svc%[1]d-%[2]d}
spec:
  address: 10.%[3]d.%[4]d.%[2]d
  labels: {app: svc%[1]d, version: v%[2]d}
---
`, s, e+1, s/250, s%250)
		}
	}
	objs, problems := config.ParseBytes("bench.yaml", []byte(y.String()))
	if len(problems) > 0 {
		b.Fatal(problems[0])
	}
	cfg := config.NewSnapshot(1, objs, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, problems := FromConfig(cfg); len(problems) > 0 {
			b.Fatal(problems[0])
		}
	}
}
