package cli

import (
	"github.com/spf13/cobra"

	"github.com/loom-mesh/loom/internal/controlplane"
)

func newControlPlaneCommand(logger loggerFunc) *cobra.Command {
	var cfg controlplane.Config
	cmd := &cobra.Command{
		Use:   "control-plane",
		Short: "Serve xDS to the mesh's proxies from a directory of Istio YAML",
		Long: `Reads every *.yaml/*.yml under --config-dir (Istio's networking and security
APIs), watches it for changes and serves the resulting Envoy configuration
over ADS (state-of-the-world and delta) to every connected proxy.

The admin endpoint serves /ready, /debug/syncz (JSON: each proxy and the
version it ACKed per type), /debug/connections (the same as a table) and
/debug/configz (current config problems).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logger()
			if err != nil {
				return err
			}
			cfg.Logger = log
			if err := cfg.Validate(); err != nil {
				return err
			}
			return controlplane.Run(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.ConfigDir, "config-dir", "", "directory of Istio YAML to serve (required)")
	f.StringVar(&cfg.XDSAddress, "xds-address", controlplane.DefaultXDSAddress, "address proxies connect to (ADS over gRPC)")
	f.StringVar(&cfg.AdminAddress, "admin-address", controlplane.DefaultAdminAddress, "admin HTTP endpoint address")
	f.DurationVar(&cfg.DebounceQuiet, "debounce-quiet", controlplane.DefaultDebounceQuiet, "push once config has been quiet this long")
	f.DurationVar(&cfg.DebounceMax, "debounce-max", controlplane.DefaultDebounceMax, "push at most this long after the first unpushed change")
	return cmd
}
