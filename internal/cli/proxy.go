package cli

import (
	"fmt"
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/loom-mesh/loom/internal/proxy"
)

func newProxyCommand(logger loggerFunc) *cobra.Command {
	var cfg proxy.Config
	var ip string
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Run a sidecar proxy for one workload, configured by the control plane",
		Long: `Connects to the control plane over ADS as the WorkloadEntry --namespace/--workload
and serves the listeners, routes and clusters it gets: HTTP/1.1, HTTP/2 (h2c),
gRPC and TCP, with retries, timeouts, weighted routing and load balancing.

The admin endpoint (/ready, /config_dump, /stats, /stats/prometheus, ...)
listens on the workload's address, port 15000, unless --admin-address says
otherwise; without --ip the address is learned from the first configuration.
On SIGTERM the proxy drains: /ready fails, inbound listeners close while
outbound ones keep serving, then outbound listeners close; requests in flight
get --drain-duration to finish.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logger()
			if err != nil {
				return err
			}
			if ip != "" {
				addr, err := netip.ParseAddr(ip)
				if err != nil {
					return fmt.Errorf("--ip %q: not an IP address", ip)
				}
				cfg.IP = addr
			}
			cfg = cfg.WithDefaults()
			if err := cfg.Validate(); err != nil {
				return err
			}
			return proxy.Run(cmd.Context(), cfg, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.ControlPlane, "control-plane", "", "control plane xDS address, host:port (required)")
	f.StringVar(&cfg.Namespace, "namespace", "", "the workload's namespace (required)")
	f.StringVar(&cfg.Workload, "workload", "", "the WorkloadEntry this proxy serves (required)")
	f.StringVar(&ip, "ip", "", "the workload's address (default: learned from the first configuration)")
	f.StringVar(&cfg.AdminAddress, "admin-address", "", "admin endpoint address (default: <workload address>:15000)")
	f.IntVar(&cfg.Concurrency, "concurrency", proxy.DefaultConcurrency, "GOMAXPROCS: threads running Go code at once")
	f.DurationVar(&cfg.DrainDuration, "drain-duration", proxy.DefaultDrainDuration, "how long requests in flight get to finish on shutdown")
	f.BoolVar(&cfg.Delta, "xds-delta", false, "use incremental (delta) xDS instead of state of the world")
	f.StringVar(&cfg.CPUProfile, "cpu-profile", "", "write a CPU profile of the whole run to this file (performance work)")
	return cmd
}
