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
