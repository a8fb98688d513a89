package cli

import (
	"github.com/spf13/cobra"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/xds"
)

func newAnalyzeCommand() *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "analyze DIR | -f FILE [-f FILE...]",
		Short: "Validate Istio config as the control plane would, one line per problem",
		Long: `Reads a config directory (every *.yaml and *.yml under it) or the files given
with -f, parses and validates every object the way the control plane does, and
prints one line per problem: file#document: error|warning: Kind namespace/name:
field.path: reason. When the config holds ServiceEntries or WorkloadEntries (a
local-mode mesh) it also reports what the control plane would find serving it:
hosts and destinations no service has, listeners nothing answers on, rules that
lose to others. Exits 1 if any problem is an error, 0 otherwise.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := config.AnalyzeConfig{Files: files, Analyzers: extraAnalyzers(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
			if len(args) == 1 {
				cfg.Dir = args[0]
			}
			if err := cfg.Validate(); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			res, err := config.Analyze(cfg)
			if err != nil {
				return err
			}
			if res.Errors > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "a file to analyze (repeat for several; read together)")
	return cmd
}

// extraAnalyzers are the checks other packages add to `loom analyze`: the
// xDS generator's warnings about fields it does not act on yet (the control
// plane runs that one on every config change too), and the push analysis
// the control plane reports when it serves the config.
func extraAnalyzers() []config.Analyzer {
	return []config.Analyzer{xds.Unsupported, xds.MeshAnalyzer}
}
