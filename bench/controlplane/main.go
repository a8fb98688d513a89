// Command controlplane benchmarks Loom's control plane: N simulated proxies
// (ADS streams over real gRPC on loopback, ACKing like Envoy) in a mesh of
// services × endpoints, measuring how long a route change and an endpoint
// change take to reach every proxy (file write → last ACK), CPU per push and
// memory per connected proxy. The same run measures the baseline:
// go-control-plane's SnapshotCache with one snapshot per node.
//
//	go run ./bench/controlplane                       # 1,000 proxies × 100 services × 3 endpoints
//	go run ./bench/controlplane -proxies 1000,2000 -services 100,1000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

type options struct {
	impls         []string
	proxies       []int
	services      []int
	endpoints     int
	reps          int
	delta         bool
	debounceQuiet time.Duration
	debounceMax   time.Duration
	settle        time.Duration
	profile       string
	maxRSS        uint64
}

func main() {
	if spec := os.Getenv(childEnv); spec != "" {
		var s childSpec
		if err := json.Unmarshal([]byte(spec), &s); err != nil {
			fmt.Fprintln(os.Stderr, "bad", childEnv, err)
			os.Exit(2)
		}
		if err := serveChild(s); err != nil {
			fmt.Fprintln(os.Stderr, "control plane:", err)
			os.Exit(1)
		}
		return
	}
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var rows []row
	for _, services := range opts.services {
		for _, n := range opts.proxies {
			for _, impl := range opts.impls {
				r, err := runScenario(ctx, opts, impl, n, services)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s, %d proxies, %d services: %v\n", impl, n, services, err)
					if ctx.Err() != nil {
						os.Exit(1)
					}
					r = row{impl: impl, proxies: n, services: services, note: err.Error()}
				}
				rows = append(rows, r)
			}
		}
	}
	printTable(os.Stdout, opts, rows)
}

func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("controlplane", flag.ContinueOnError)
	impls := fs.String("impl", "loom,naive", "control planes to measure: loom, naive (go-control-plane SnapshotCache, one snapshot per node)")
	proxies := fs.String("proxies", "1000", "comma-separated numbers of simulated proxies")
	services := fs.String("services", "100", "comma-separated numbers of services")
	o := options{}
	fs.IntVar(&o.endpoints, "endpoints", 3, "endpoints per service")
	fs.IntVar(&o.reps, "reps", 10, "repetitions of each change")
	fs.BoolVar(&o.delta, "delta", false, "simulated proxies use delta xDS (the naive baseline serves delta too)")
	fs.DurationVar(&o.debounceQuiet, "debounce-quiet", 100*time.Millisecond, "control plane --debounce-quiet")
	fs.DurationVar(&o.debounceMax, "debounce-max", 500*time.Millisecond, "control plane --debounce-max")
	fs.DurationVar(&o.settle, "settle", 500*time.Millisecond, "pause after each converged change")
	maxRSSMB := fs.Uint64("max-rss", 6144, "stop a control plane whose resident set exceeds this many MB (the row reports it)")
	fs.StringVar(&o.profile, "profile", "", "directory to write CPU profiles of the control plane into, one per kind of change")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.maxRSS = *maxRSSMB << 20
	o.impls = strings.Split(*impls, ",")
	var err error
	if o.proxies, err = ints("proxies", *proxies); err != nil {
		return o, err
	}
	o.services, err = ints("services", *services)
	return o, err
}

func ints(flagName, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("-%s %q: want comma-separated counts", flagName, list)
		}
		out = append(out, n)
	}
	return out, nil
}
