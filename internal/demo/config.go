// Package demo is `loom demo`: it starts the Bookinfo mesh on loopback (via
// internal/mesh) with Istio's own routing samples, sends traffic to
// productpage, and shows per service and version what the destination
// sidecars report: requests/s, success rate, p50/p99 latency.
package demo

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Output formats.
const (
	OutputTable = "table"
	OutputJSON  = "json"
)

// Config of one demo run.
type Config struct {
	// Duration of the traffic; 0 runs until the context ends (Ctrl-C).
	Duration time.Duration
	// Output is "table" (live table) or "json" (one object at the end).
	Output string
	// Rate of requests per second to productpage; JasonPercent of them carry
	// `end-user: jason`.
	Rate         int
	JasonPercent int
	// Block is the mesh's address block (0: the first free one).
	Block int
	// Binary is the loom executable to run the mesh with (default: this one).
	Binary string
	// KeepDir keeps the mesh's config and logs after the demo ends.
	KeepDir bool
	// Refresh is the table's refresh period (default 1 s).
	Refresh time.Duration
	Stdout  io.Writer
	// TTY redraws the table in place; otherwise each refresh is appended.
	TTY    bool
	Logger *slog.Logger
}

// Validate checks the flags' values.
func (c *Config) Validate() error {
	switch {
	case c.Output != OutputTable && c.Output != OutputJSON:
		return fmt.Errorf("--output %q: must be %s or %s", c.Output, OutputTable, OutputJSON)
	case c.Duration < 0:
		return fmt.Errorf("--duration %v: must not be negative", c.Duration)
	case c.Output == OutputJSON && c.Duration == 0:
		return fmt.Errorf("--output json needs --duration (the summary is printed when traffic ends)")
	case c.Rate < 1 || c.Rate > 1000:
		return fmt.Errorf("--rate %d: must be 1..1000 requests/s", c.Rate)
	case c.JasonPercent < 0 || c.JasonPercent > 100:
		return fmt.Errorf("--jason-percent %d: must be 0..100", c.JasonPercent)
	case c.Stdout == nil:
		return fmt.Errorf("stdout: required")
	}
	return nil
}

func (c *Config) defaults() {
	if c.Refresh <= 0 {
		c.Refresh = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}
