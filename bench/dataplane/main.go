// Command dataplane measures the latency, CPU and memory Loom's proxy adds to
// HTTP traffic, against the same traffic sent directly and through two nginx
// hops, in one run on loopback:
//
//	fortio → client sidecar → server sidecar → upstream (1 KB answers)
//
// Run it with `go run ./bench/dataplane` (see docs/benchmarks.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	duration time.Duration
	qps      int
	conns    int
	rounds   int
	loom     string // path to the loom binary; built when empty
	fortio   string
	nginx    string
	workDir  string
	rows     string // comma-separated subset of rows to run
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "length of each load run")
	flag.IntVar(&o.qps, "qps", 1000, "requests per second")
	flag.IntVar(&o.conns, "connections", 16, "client connections")
	flag.IntVar(&o.rounds, "rounds", 3, "times to repeat every row, interleaved")
	flag.StringVar(&o.loom, "loom", "", "loom binary (default: build ./cmd/loom)")
	flag.StringVar(&o.fortio, "fortio", "fortio", "fortio binary (go install fortio.org/fortio@v1.68.2)")
	flag.StringVar(&o.nginx, "nginx", "nginx", "nginx binary (Debian's nginx)")
	flag.StringVar(&o.workDir, "work-dir", "", "directory for configs and logs (default: a temp dir)")
	flag.StringVar(&o.rows, "rows", "direct,nginx,loom,direct-h2c,loom-h2c", "rows to run")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, o, logger); err != nil {
		fmt.Fprintln(os.Stderr, "dataplane bench:", err)
		os.Exit(1)
	}
}
