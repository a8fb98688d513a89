package demo

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Istio's standard metric names, as Loom's proxies expose them.
const (
	requestsTotal   = "istio_requests_total"
	durationBuckets = "istio_request_duration_milliseconds_bucket"
)

// Destination identifies one destination service version.
type Destination struct {
	Service string // destination_service, the FQDN
	Version string // destination_version
}

// ShortName is the service's first DNS label ("reviews").
func (d Destination) ShortName() string {
	name, _, _ := strings.Cut(d.Service, ".")
	return name
}

// Counts are what the destination proxies reported for one Destination.
type Counts struct {
	Requests float64
	Errors   float64 // responses with code 0 (none sent) or 5xx
	Latency  *Histogram
}

// Totals are cumulative counts per destination, summed over proxies.
type Totals map[Destination]*Counts

func (t Totals) at(d Destination) *Counts {
	c := t[d]
	if c == nil {
		c = &Counts{Latency: &Histogram{}}
		t[d] = c
	}
	return c
}

func keepIstio(name string) bool { return name == requestsTotal || name == durationBuckets }

// addSamples folds one proxy's reporter="destination" samples into t.
func (t Totals) addSamples(samples []Sample) {
	for _, s := range samples {
		if s.Labels["reporter"] != "destination" {
			continue
		}
		d := Destination{Service: s.Labels["destination_service"], Version: s.Labels["destination_version"]}
		switch s.Name {
		case requestsTotal:
			c := t.at(d)
			c.Requests += s.Value
			if isError(s.Labels["response_code"]) {
				c.Errors += s.Value
			}
		case durationBuckets:
			le, err := strconv.ParseFloat(s.Labels["le"], 64)
			if err == nil {
				t.at(d).Latency.Add(le, s.Value)
			}
		}
	}
}

func isError(code string) bool {
	n, err := strconv.Atoi(code)
	return err != nil || n == 0 || n >= 500
}

// Sub returns what happened between earlier and t.
func (t Totals) Sub(earlier Totals) Totals {
	out := Totals{}
	for d, c := range t {
		e := earlier[d]
		if e == nil {
			e = &Counts{}
		}
		out[d] = &Counts{
			Requests: math.Max(0, c.Requests-e.Requests),
			Errors:   math.Max(0, c.Errors-e.Errors),
			Latency:  c.Latency.Sub(e.Latency),
		}
	}
	return out
}

// Sorted lists the destinations in a stable order: by service, then version.
func (t Totals) Sorted() []Destination {
	out := make([]Destination, 0, len(t))
	for d := range t {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Version < out[j].Version
	})
	return out
}
