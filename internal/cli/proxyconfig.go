package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/loom-mesh/loom/internal/proxy/admin/proxyconfig"
)

func newProxyConfigCommand() *cobra.Command {
	var output string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "proxy-config listeners|routes|clusters|endpoints [ADMIN_ADDRESS]",
		Short: "Show a proxy's listeners, routes, clusters or endpoints from its admin /config_dump",
		Long: `Reads the /config_dump of a proxy's admin endpoint (Loom's, or any Envoy's: the
format is Envoy's) and prints one kind of configuration as a table, or with
-o json the raw resources of that kind as a JSON array.

ADMIN_ADDRESS is host:port or a URL; it defaults to ` + proxyconfig.DefaultAdmin + `. A Loom
sidecar's admin listens on its workload address, port 15000.`,
		Example: `  loom proxy-config listeners 127.0.1.3:15000
  loom proxy-config routes 127.0.1.3:15000 -o json`,
		Args:      cobra.RangeArgs(1, 2),
		ValidArgs: proxyconfig.Kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := proxyconfig.Config{Kind: args[0], Output: output, Timeout: timeout, Stdout: cmd.OutOrStdout()}
			if len(args) == 2 {
				cfg.Admin = args[1]
			}
			if err := cfg.Validate(); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			return proxyconfig.Run(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: "+strings.Join([]string{"table", "json"}, " or "))
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the admin endpoint")
	return cmd
}
