// Package cli wires loom's subcommands: each parses flags into a component's
// Config, validates it and calls the component's Run. No logic lives here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
)

// ExitError carries a specific exit code (e.g. `loom analyze` finding problems).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Execute runs loom with args and returns the process exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		if exit.Err != nil {
			fmt.Fprintln(stderr, "loom:", exit.Err)
		}
		return exit.Code
	}
	fmt.Fprintln(stderr, "loom:", err)
	return 1
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	var logLevel string
	root := &cobra.Command{
		Use:           "loom",
		Short:         "Loom is a service mesh: Istio's API, Envoy's xDS, a lean Go proxy",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	logger := func() (*slog.Logger, error) { return newLogger(stderr, logLevel) }
	root.AddCommand(
		newControlPlaneCommand(logger),
		newProxyCommand(logger),
		newAnalyzeCommand(),
		newProxyConfigCommand(),
		newDemoCommand(logger),
		newSampleAppCommand(logger),
	)
	return root
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: must be debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// loggerFunc builds the logger once flags are parsed.
type loggerFunc func() (*slog.Logger, error)
