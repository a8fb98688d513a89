package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// row is one way of carrying the traffic.
type row struct {
	name     string
	baseline string // the row whose latency this one adds to
	h2       bool
	url      string
	// start brings up the proxies of this row and returns them (nil for none).
	start func(ctx context.Context, o options, dir string) ([]*process, func(), error)
}

func rows() []row {
	return []row{
		{name: "direct", url: "http://" + upstreamH1 + "/"},
		{name: "nginx", baseline: "direct", url: "http://" + nginxFront + "/", start: startNginxHops},
		{name: "loom", baseline: "direct", url: "http://" + clientEgress + ":8080/", start: startLoomHops},
		{name: "direct-h2c", h2: true, url: "http://" + upstreamH2C + "/"},
		{name: "loom-h2c", baseline: "direct-h2c", h2: true, url: "http://" + clientEgress + ":8081/", start: startLoomHops},
	}
}

func startNginxHops(ctx context.Context, o options, dir string) ([]*process, func(), error) {
	back, err := startNginx(ctx, o, dir, "nginx-back", proxyServer(nginxBack, upstreamH1))
	if err != nil {
		return nil, nil, err
	}
	front, err := startNginx(ctx, o, dir, "nginx-front", proxyServer(nginxFront, nginxBack))
	if err != nil {
		back.stop()
		return nil, nil, err
	}
	stop := func() { front.stop(); back.stop() }
	for _, a := range []string{nginxFront, nginxBack} {
		if err := waitTCP(ctx, a); err != nil {
			stop()
			return nil, nil, err
		}
	}
	return []*process{front, back}, stop, nil
}

func startLoomHops(ctx context.Context, o options, dir string) ([]*process, func(), error) {
	m, err := startLoom(ctx, o, dir)
	if err != nil {
		return nil, nil, err
	}
	return []*process{m.client, m.server}, m.stop, nil
}

// measurement is one row in one round.
type measurement struct {
	load    loadResult
	cpu     time.Duration // all of the row's proxies
	peakRSS int64         // the largest of the row's proxies
	anonRSS int64         // the largest of the row's proxies, at the end of the run
	proxies int
}

func run(ctx context.Context, o options, logger *slog.Logger) error {
	dir := o.workDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "loom-dataplane-"); err != nil {
			return err
		}
	}
	logger.Info("work dir", "dir", dir)
	if err := buildLoom(ctx, &o, dir); err != nil {
		return err
	}
	up, err := startNginx(ctx, o, dir, "upstream", upstreamServers())
	if err != nil {
		return err
	}
	defer up.stop()
	for _, a := range []string{upstreamH1, upstreamH2C} {
		if err := waitTCP(ctx, a); err != nil {
			return err
		}
	}
	selected := selectRows(o.rows)
	results := map[string][]measurement{}
	for round := 1; round <= o.rounds; round++ {
		for _, r := range selected {
			logger.Info("running", "row", r.name, "round", round)
			m, err := measure(ctx, o, dir, r, round)
			if err != nil {
				return fmt.Errorf("row %s round %d: %w", r.name, round, err)
			}
			results[r.name] = append(results[r.name], m)
		}
	}
	printReport(os.Stdout, o, selected, results)
	return nil
}

func selectRows(list string) []row {
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []row
	for _, r := range rows() {
		if want[r.name] {
			out = append(out, r)
		}
	}
	return out
}

func measure(ctx context.Context, o options, dir string, r row, round int) (measurement, error) {
	var procs []*process
	if r.start != nil {
		var stop func()
		var err error
		procs, stop, err = r.start(ctx, o, dir)
		if err != nil {
			return measurement{}, err
		}
		defer stop()
	}
	label := fmt.Sprintf("%s-%d", r.name, round)
	if _, err := runFortio(ctx, o, dir, label+"-warmup", r.url, r.h2, 3*time.Second); err != nil {
		return measurement{}, err
	}
	before, err := usageOf(procs)
	if err != nil {
		return measurement{}, err
	}
	load, err := runFortio(ctx, o, dir, label, r.url, r.h2, o.duration)
	if err != nil {
		return measurement{}, err
	}
	after, err := usageOf(procs)
	if err != nil {
		return measurement{}, err
	}
	m := measurement{load: load, proxies: len(procs)}
	for i := range procs {
		m.cpu += after[i].cpu - before[i].cpu
		m.peakRSS = max(m.peakRSS, after[i].peakRSS)
		m.anonRSS = max(m.anonRSS, after[i].anonRSS)
	}
	return m, nil
}

func usageOf(procs []*process) ([]usage, error) {
	out := make([]usage, len(procs))
	var errs []error
	for i, p := range procs {
		u, err := readUsage(p.pid())
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
		out[i] = u
	}
	return out, errors.Join(errs...)
}
