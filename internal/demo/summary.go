package demo

import (
	"math"
	"time"
)

// Summary is the one JSON object `loom demo --output json` prints at the end.
type Summary struct {
	Duration string `json:"duration"`
	// Config lists the Istio samples applied on top of the generated mesh.
	Config []string `json:"config"`
	// MTLS is false: traffic between sidecars is plaintext until mTLS lands.
	MTLS         bool                 `json:"mtls"`
	Client       ClientStats          `json:"client"`
	Destinations []DestinationSummary `json:"destinations"`
}

// DestinationSummary is what the destination's sidecars reported
// (istio_requests_total, reporter="destination") while the demo's traffic ran.
type DestinationSummary struct {
	Service  string  `json:"service"` // short name, e.g. reviews
	Host     string  `json:"host"`    // destination_service, e.g. reviews.default.svc.cluster.local
	Version  string  `json:"version"`
	Requests uint64  `json:"requests"`
	Errors   uint64  `json:"errors"` // 5xx, or no response
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
}

func summarize(d time.Duration, config []string, client ClientStats, delta Totals) Summary {
	s := Summary{Duration: d.Round(time.Millisecond).String(), Config: config, Client: client,
		Destinations: []DestinationSummary{}}
	for _, dest := range delta.Sorted() {
		c := delta[dest]
		s.Destinations = append(s.Destinations, DestinationSummary{
			Service: dest.ShortName(), Host: dest.Service, Version: dest.Version,
			Requests: uint64(c.Requests), Errors: uint64(c.Errors),
			P50Ms: finite(c.Latency.Quantile(0.5)), P99Ms: finite(c.Latency.Quantile(0.99)),
		})
	}
	return s
}

// finite maps NaN (no observations) to 0, which JSON can carry.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*1000) / 1000
}
