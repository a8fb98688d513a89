package demo

import (
	"math"
	"testing"
)

func hist(pairs ...float64) *Histogram {
	h := &Histogram{}
	for i := 0; i < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name string
		h    *Histogram
		q    float64
		want float64
	}{
		{"empty", hist(), 0.5, math.NaN()},
		{"first bucket from zero", hist(10, 100, inf, 100), 0.5, 5},
		{"interpolates inside a bucket", hist(1, 0, 5, 100, inf, 100), 0.5, 3},
		{"p99 in the upper bucket", hist(1, 50, 10, 100, inf, 100), 0.99, 1 + 9*49.0/50},
		{"rank in +Inf answers the highest bound", hist(1, 10, inf, 100), 0.99, 1},
		{"empty buckets are skipped", hist(1, 0, 5, 0, 10, 10, inf, 10), 0.5, 7.5},
		{"unordered adds", hist(inf, 4, 1, 2, 2, 4), 0.5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.h.Quantile(tc.q)
			if !(math.Abs(got-tc.want) < 1e-9 || math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

func TestHistogramSub(t *testing.T) {
	inf := math.Inf(1)
	now := hist(1, 10, 5, 30, inf, 40)
	then := hist(1, 10, 5, 10, inf, 10)
	d := now.Sub(then)
	if d.Total() != 30 || d.Quantile(0.5) != 1+4*15.0/20 {
		t.Errorf("delta %+v: total %v p50 %v", d, d.Total(), d.Quantile(0.5))
	}
	if now.Sub(nil).Total() != 40 {
		t.Errorf("Sub(nil) changed the histogram")
	}
}
