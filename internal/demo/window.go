package demo

import (
	"math"
	"time"
)

// Row is one line of the live table: one destination service version.
type Row struct {
	Destination
	RPS         float64 // requests per second over the window
	SuccessRate float64 // over the window; NaN without requests
	P50, P99    float64 // milliseconds, over the window; NaN without requests
	Total       float64 // requests since traffic started
}

type point struct {
	at     time.Time
	totals Totals
}

// window keeps the scrapes of the last span, to compute rates and percentiles
// over it (like Prometheus's rate(...[span])).
type window struct {
	span     time.Duration
	baseline Totals
	points   []point
}

func (w *window) add(at time.Time, t Totals) {
	w.points = append(w.points, point{at, t})
	for len(w.points) > 2 && at.Sub(w.points[1].at) >= w.span {
		w.points = w.points[1:]
	}
}

// rows computes the table from the oldest and newest scrape in the window.
func (w *window) rows() []Row {
	if len(w.points) < 2 {
		return nil
	}
	first, last := w.points[0], w.points[len(w.points)-1]
	secs := last.at.Sub(first.at).Seconds()
	delta := last.totals.Sub(first.totals)
	since := last.totals.Sub(w.baseline)
	var out []Row
	for _, d := range last.totals.Sorted() {
		c := delta[d]
		r := Row{Destination: d, RPS: c.Requests / secs, Total: since[d].Requests,
			SuccessRate: math.NaN(), P50: math.NaN(), P99: math.NaN()}
		if c.Requests > 0 {
			r.SuccessRate = 1 - c.Errors/c.Requests
			r.P50, r.P99 = c.Latency.Quantile(0.5), c.Latency.Quantile(0.99)
		}
		out = append(out, r)
	}
	return out
}
