package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

// row is one measured configuration.
type row struct {
	impl              string
	proxies, services int
	note              string          // why the row has no figures
	route, endpoint   []time.Duration // convergence per repetition
	routeCPU, epCPU   time.Duration   // control-plane CPU per change (mean)
	heapPerProxy      float64         // bytes
	heap0, heapN, rss uint64
	peakRSS           uint64
}

func runScenario(ctx context.Context, o options, impl string, n, services int) (r row, err error) {
	r = row{impl: impl, proxies: n, services: services}
	dir, err := os.MkdirTemp("", "loom-bench-cp-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	cfgDir := filepath.Join(dir, "config")
	if err := os.Mkdir(cfgDir, 0o755); err != nil {
		return r, err
	}
	m, err := writeMesh(cfgDir, services, o.endpoints)
	if err != nil {
		return r, err
	}
	progress("%s: %d proxies, %d services × %d endpoints: starting control plane", impl, n, services, o.endpoints)
	cp, err := startChild(ctx, childSpec{Impl: impl, ConfigDir: cfgDir, DebounceQuiet: o.debounceQuiet, DebounceMax: o.debounceMax},
		filepath.Join(os.TempDir(), fmt.Sprintf("loom-bench-cp-%s-%d-%d.log", impl, n, services)))
	if err != nil {
		return r, err
	}
	defer cp.stop()
	go cp.guard(o.maxRSS)
	defer func() {
		if cp.overLimit.Load() {
			err = fmt.Errorf("control plane stopped: resident set over %.0f MB (-max-rss)", mb(o.maxRSS))
		} else if peak, perr := cp.peakRSS(); perr == nil {
			r.peakRSS = peak
		}
	}()
	if r.heap0, err = cp.heap(); err != nil {
		return r, err
	}
	connecting := time.Now()
	fl, err := connectFleet(ctx, cp, m, n, o.delta)
	synced := time.Since(connecting)
	if err != nil {
		return r, err
	}
	defer fl.stop()
	if err := measureMemory(cp, &r, o.settle); err != nil {
		return r, err
	}
	if ms, err := cp.memStats(); err == nil {
		progress("  %d proxies connected and synced in %s; heap %.1f MB → %.1f MB (heap sys %.0f MB, released %.0f MB, stacks %.0f MB, %d goroutines), RSS %.0f MB",
			n, synced.Round(time.Millisecond), mb(r.heap0), mb(r.heapN), mb(ms.HeapSys), mb(ms.HeapReleased), mb(ms.StackInuse), ms.Goroutines, mb(r.rss))
	}
	label := fmt.Sprintf("%s-%d-%d", impl, n, services)
	if r.route, r.routeCPU, err = phase(ctx, o, cp, fl, label, adstest.RouteType, func(i int) error { return m.setRouteWeight(80 - 10*((i+1)%2)) }); err != nil {
		return r, fmt.Errorf("route change: %w", err)
	}
	if r.endpoint, r.epCPU, err = phase(ctx, o, cp, fl, label, adstest.EndpointType, func(i int) error { return m.moveEndpoint(i%2 == 0) }); err != nil {
		return r, fmt.Errorf("endpoint change: %w", err)
	}
	return r, nil
}

// phase repeats one kind of change, under a CPU profile of the control
// plane if asked for (o.profile/<label>-<change>.pprof).
func phase(ctx context.Context, o options, cp *child, fl *fleet, label, typeURL string, change func(i int) error) ([]time.Duration, time.Duration, error) {
	if o.profile == "" {
		return repeat(ctx, o, cp, fl, typeURL, change)
	}
	path, err := filepath.Abs(filepath.Join(o.profile, label+"-"+shortType(typeURL)+".pprof"))
	if err != nil {
		return nil, 0, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, 0, fmt.Errorf("profile directory: %w", err)
	}
	stop, err := cp.profile(path)
	if err != nil {
		return nil, 0, err
	}
	times, cpu, err := repeat(ctx, o, cp, fl, typeURL, change)
	if serr := stop(); err == nil && serr != nil {
		err = fmt.Errorf("CPU profile: %w", serr)
	}
	return times, cpu, err
}

func connectFleet(ctx context.Context, cp *child, m *mesh, n int, delta bool) (*fleet, error) {
	fl, err := startFleet(ctx, cp.spec.XDSAddress, m, n, delta)
	if err != nil {
		return nil, err
	}
	syncCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := fl.waitSynced(syncCtx); err != nil {
		fl.stop()
		return nil, err
	}
	return fl, nil
}

func measureMemory(cp *child, r *row, settle time.Duration) error {
	time.Sleep(2 * settle)
	var err error
	if r.heapN, err = cp.heap(); err != nil {
		return err
	}
	if r.rss, err = cp.rss(); err != nil {
		return err
	}
	if r.proxies > 0 {
		r.heapPerProxy = (float64(r.heapN) - float64(r.heap0)) / float64(r.proxies)
	}
	return nil
}

// repeat applies change o.reps times and returns each convergence time and
// the control plane's mean CPU per change.
func repeat(ctx context.Context, o options, cp *child, fl *fleet, typeURL string, change func(i int) error) ([]time.Duration, time.Duration, error) {
	var times []time.Duration
	var cpu time.Duration
	for i := range o.reps {
		before, err := cp.cpu()
		if err != nil {
			return nil, 0, err
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		all, each, err := fl.converge(cctx, typeURL, func() error { return change(i) })
		cancel()
		if err != nil {
			return nil, 0, err
		}
		time.Sleep(o.settle)
		after, err := cp.cpu()
		if err != nil {
			return nil, 0, err
		}
		times = append(times, all)
		cpu += after - before
		progress("  %s change %d: all %d proxies ACKed in %s (first after %s, half after %s)", shortType(typeURL), i+1,
			len(fl.members), all.Round(time.Millisecond), each[0].Round(time.Millisecond), each[len(each)/2].Round(time.Millisecond))
	}
	return times, cpu / time.Duration(max(1, o.reps)), nil
}

func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func shortType(typeURL string) string {
	if typeURL == adstest.RouteType {
		return "route"
	}
	return "endpoint"
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
