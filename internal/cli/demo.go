package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/loom-mesh/loom/internal/demo"
)

func newDemoCommand(logger loggerFunc) *cobra.Command {
	cfg := demo.Config{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Bookinfo in a local Loom mesh, send traffic and show it live per service and version",
		Long: `Starts a control plane, the Bookinfo sample services (productpage, details,
reviews v1/v2/v3, ratings) and a Loom sidecar for each, all on loopback, applies
Istio's destination-rule-all.yaml and virtual-service-reviews-80-20.yaml, sends
traffic to productpage and shows, per destination service and version, requests/s,
success rate and p50/p99 latency as the sidecars report them. Ctrl-C stops
everything. With --duration and --output json it runs unattended and prints one
JSON object at the end.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logger()
			if err != nil {
				return err
			}
			cfg.Logger = log
			cfg.Stdout = cmd.OutOrStdout()
			cfg.TTY = isTerminal(cfg.Stdout)
			return demo.Run(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&cfg.Duration, "duration", 0, "how long to send traffic (default: until Ctrl-C)")
	f.StringVarP(&cfg.Output, "output", "o", demo.OutputTable, "table (live) or json (one object at the end; needs --duration)")
	f.IntVar(&cfg.Rate, "rate", 50, "requests per second to productpage")
	f.IntVar(&cfg.JasonPercent, "jason-percent", 20, "percent of requests sent with `end-user: jason`")
	f.IntVar(&cfg.Block, "block", 0, "address block: the mesh uses 127.<block>.0.0/16 (default: the first free one)")
	f.BoolVar(&cfg.KeepDir, "keep", false, "keep the mesh's config and logs directory afterwards")
	return cmd
}

// isTerminal says whether w is a character device (a terminal), so the table
// can be redrawn in place.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
