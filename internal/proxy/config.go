// Package proxy is the `loom proxy` component: a sidecar that gets its config
// from the control plane over ADS and serves it with Loom's own data path
// (listener manager, HTTP/1.1 codec path, HTTP/2 and gRPC, TCP proxy,
// cluster manager), plus the admin endpoint and graceful drain.
package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Defaults.
const (
	// DefaultConcurrency is GOMAXPROCS for a sidecar. One: a sidecar carries
	// one workload's traffic, and measurements (issue 2) found one P per
	// sidecar used 10-20% less CPU than more — no cross-core handoff between
	// a connection's goroutine and the netpoller, as nginx's single worker.
	// Gateways and busy workloads raise it.
	DefaultConcurrency = 1
	// DefaultDrainDuration is how long in-flight requests get on shutdown
	// (Istio's terminationDrainDuration).
	DefaultDrainDuration = 5 * time.Second
	// AdminPort is the admin endpoint's port on the workload's address.
	AdminPort = 15000
)

// Config is what `loom proxy` is started with.
type Config struct {
	// ControlPlane is the ADS server's host:port (--control-plane).
	ControlPlane string
	// Namespace and Workload name the WorkloadEntry this proxy serves.
	Namespace string
	Workload  string
	// IP is the workload's address (--ip); when unset it is learned from the
	// inbound listener of the first config.
	IP netip.Addr
	// AdminAddress is where the admin endpoint listens (--admin-address);
	// default: the workload's address, port 15000.
	AdminAddress string
	// Concurrency sets GOMAXPROCS (--concurrency).
	Concurrency int
	// DrainDuration bounds graceful drain (--drain-duration).
	DrainDuration time.Duration
	// Delta selects incremental xDS (--xds-delta).
	Delta bool
	// CPUProfile, when set, is a file to write a CPU profile of the whole
	// run to (--cpu-profile), for performance work.
	CPUProfile string
}

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config {
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.DrainDuration == 0 {
		c.DrainDuration = DefaultDrainDuration
	}
	return c
}

// Validate reports the first invalid setting, naming its flag.
func (c Config) Validate() error {
	switch {
	case c.ControlPlane == "":
		return errors.New("--control-plane: required (host:port of the control plane's xDS server)")
	case c.Namespace == "":
		return errors.New("--namespace: required")
	case c.Workload == "":
		return errors.New("--workload: required (the WorkloadEntry name)")
	case c.Concurrency < 0:
		return fmt.Errorf("--concurrency %d: must be at least 1", c.Concurrency)
	case c.DrainDuration < 0:
		return fmt.Errorf("--drain-duration %s: must not be negative", c.DrainDuration)
	}
	if err := validHostPort(c.ControlPlane); err != nil {
		return fmt.Errorf("--control-plane %q: %w", c.ControlPlane, err)
	}
	if c.AdminAddress != "" {
		if err := validHostPort(c.AdminAddress); err != nil {
			return fmt.Errorf("--admin-address %q: %w", c.AdminAddress, err)
		}
	}
	return nil
}

func validHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("want host:port")
	}
	if host == "" {
		return errors.New("host: required")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q: must be 0..65535", port)
	}
	return nil
}

// adminAddress is the admin endpoint's address for a workload address.
func (c Config) adminAddress(ip netip.Addr) string {
	if c.AdminAddress != "" {
		return c.AdminAddress
	}
	return netip.AddrPortFrom(ip, AdminPort).String()
}
