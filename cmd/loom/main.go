// Command loom is the Loom service mesh: control plane, proxy and operator tools.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/loom-mesh/loom/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
