package demo

import (
	"math"
	"slices"
)

// Histogram is a Prometheus histogram: cumulative counts per upper bound,
// the last bound being +Inf.
type Histogram struct {
	Bounds []float64 // sorted, last is +Inf
	Counts []float64 // cumulative, same length as Bounds
}

// Add merges one `_bucket` sample (bound le, cumulative count).
func (h *Histogram) Add(le, count float64) {
	i, found := slices.BinarySearch(h.Bounds, le)
	if found {
		h.Counts[i] += count
		return
	}
	h.Bounds = slices.Insert(h.Bounds, i, le)
	h.Counts = slices.Insert(h.Counts, i, count)
}

// Total is the number of observations.
func (h *Histogram) Total() float64 {
	if h == nil || len(h.Counts) == 0 {
		return 0
	}
	return h.Counts[len(h.Counts)-1]
}

// Sub returns h minus an earlier snapshot of the same histogram; bounds
// missing from earlier count as zero there.
func (h *Histogram) Sub(earlier *Histogram) *Histogram {
	out := &Histogram{Bounds: slices.Clone(h.Bounds), Counts: slices.Clone(h.Counts)}
	if earlier == nil {
		return out
	}
	for i, b := range out.Bounds {
		if j, ok := slices.BinarySearch(earlier.Bounds, b); ok {
			out.Counts[i] = math.Max(0, out.Counts[i]-earlier.Counts[j])
		}
	}
	return out
}

// Quantile estimates the q-quantile (0 < q < 1) as Prometheus's
// histogram_quantile does: find the bucket holding the rank and interpolate
// linearly inside it (the first bucket starts at 0). A rank in the +Inf
// bucket answers the highest finite bound. NaN when there are no observations.
func (h *Histogram) Quantile(q float64) float64 {
	total := h.Total()
	if total == 0 || q < 0 || q > 1 {
		return math.NaN()
	}
	rank := q * total
	i, _ := slices.BinarySearchFunc(h.Counts, rank, func(c, r float64) int {
		if c < r {
			return -1
		}
		return 1
	})
	if i >= len(h.Bounds) {
		i = len(h.Bounds) - 1
	}
	if math.IsInf(h.Bounds[i], 1) {
		if i == 0 {
			return math.NaN()
		}
		return h.Bounds[i-1]
	}
	lower, below := 0.0, 0.0
	if i > 0 {
		lower, below = h.Bounds[i-1], h.Counts[i-1]
	}
	inBucket := h.Counts[i] - below
	if inBucket <= 0 {
		return h.Bounds[i]
	}
	return lower + (h.Bounds[i]-lower)*(rank-below)/inBucket
}
