package controlplane

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"
)

// Defaults.
//
// The push debounce waits for config to be quiet for 100 ms (Istio's
// PILOT_DEBOUNCE_AFTER default), and never more than 500 ms after the first
// change not yet pushed (Istio: 10 s; Loom promises config on every proxy
// within 1 s). The quiet period is most of a change's latency (about 0.13 s
// of 0.2 s for 1,000 proxies, docs/benchmarks.md), yet it is not lowered:
//   - it is what folds a burst into one push. The config source's own 20 ms
//     debounce folds the file events of one write, not a tool or a person
//     applying several files, nor (with Kubernetes) a rollout's endpoint
//     changes, which arrive tens of milliseconds apart;
//   - every push costs CPU for every connected proxy (about 0.1 s per 1,000
//     on two cores), so pushing each step of a burst multiplies that cost
//     when it is least affordable;
//   - a push taken mid-burst ships a half-applied change (requests routed to
//     a subset whose DestinationRule is not written yet fail with 503), which
//     proxies serve until the next push.
//
// Operators who want the other trade-off have --debounce-quiet.
const (
	DefaultXDSAddress    = "127.0.0.1:15010"
	DefaultAdminAddress  = "127.0.0.1:15014"
	DefaultDebounceQuiet = 100 * time.Millisecond
	DefaultDebounceMax   = 500 * time.Millisecond
)

// Config configures the control plane. Zero values take the defaults above.
type Config struct {
	// ConfigDir holds the Istio YAML the mesh runs on. Required.
	ConfigDir string
	// XDSAddress is where proxies connect (ADS over gRPC).
	XDSAddress string
	// AdminAddress serves /ready and /debug/{syncz,connections,configz}.
	AdminAddress string
	// DebounceQuiet: a push starts once config has been quiet this long...
	DebounceQuiet time.Duration
	// DebounceMax: ...or this long after the first unpushed change, whichever
	// comes first. With the defaults a change reaches proxies well under 1 s.
	DebounceMax time.Duration
	Logger      *slog.Logger
}

// withDefaults fills zero values.
func (c Config) withDefaults() Config {
	if c.XDSAddress == "" {
		c.XDSAddress = DefaultXDSAddress
	}
	if c.AdminAddress == "" {
		c.AdminAddress = DefaultAdminAddress
	}
	if c.DebounceQuiet == 0 {
		c.DebounceQuiet = DefaultDebounceQuiet
	}
	if c.DebounceMax == 0 {
		c.DebounceMax = DefaultDebounceMax
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every invalid field, naming it as the CLI flag does.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.ConfigDir == "" {
		errs = append(errs, errors.New("config-dir: required"))
	} else if fi, err := os.Stat(c.ConfigDir); err != nil {
		errs = append(errs, fmt.Errorf("config-dir: %w", err))
	} else if !fi.IsDir() {
		errs = append(errs, fmt.Errorf("config-dir: %s is not a directory", c.ConfigDir))
	}
	for _, a := range []struct{ flag, addr string }{{"xds-address", c.XDSAddress}, {"admin-address", c.AdminAddress}} {
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q: want host:port: %w", a.flag, a.addr, err))
		}
	}
	if c.DebounceQuiet < 0 || c.DebounceMax < 0 {
		errs = append(errs, errors.New("debounce: durations must not be negative"))
	} else if c.DebounceMax < c.DebounceQuiet {
		errs = append(errs, fmt.Errorf("debounce-max (%s): must be at least debounce-quiet (%s)", c.DebounceMax, c.DebounceQuiet))
	}
	return errors.Join(errs...)
}
