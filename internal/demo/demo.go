package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/mesh"
	"github.com/loom-mesh/loom/samples"
)

// Samples are the Istio Bookinfo files the demo applies, from samples/istio-bookinfo.
var Samples = []string{"destination-rule-all.yaml", "virtual-service-reviews-80-20.yaml"}

// rateWindow is the span rates and percentiles in the table are computed over.
const rateWindow = 3 * time.Second

// Run starts the mesh, sends traffic until Duration passes or ctx ends,
// prints the table or the JSON summary, and stops the mesh.
func Run(ctx context.Context, cfg Config) (err error) {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.defaults()
	files, err := sampleFiles()
	if err != nil {
		return err
	}
	cfg.Logger.Info("starting the Bookinfo mesh: control plane, 6 apps, 6 sidecars")
	m, err := mesh.Start(ctx, mesh.Config{Spec: mesh.Bookinfo(), Binary: cfg.Binary, Block: cfg.Block,
		KeepDir: cfg.KeepDir, Files: files, Logger: cfg.Logger})
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := m.Stop(context.WithoutCancel(ctx)); stopErr != nil {
			err = errors.Join(err, fmt.Errorf("stopping the mesh: %w", stopErr))
		}
	}()
	return newRun(cfg, m).run(ctx)
}

func sampleFiles() (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range Samples {
		data, err := samples.BookinfoFile(name)
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}

// demoRun is one run against a started mesh.
type demoRun struct {
	cfg     Config
	mesh    *mesh.Mesh
	scraper *Scraper
	traffic *Traffic
	view    *tableView
	window  *window
	start   time.Time
}

func newRun(cfg Config, m *mesh.Mesh) *demoRun {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: maxInFlight}}
	var admins []string
	for _, w := range m.Workloads() {
		admins = append(admins, w.Admin)
	}
	pp, _ := m.Workload("productpage-v1")
	r := &demoRun{cfg: cfg, mesh: m,
		scraper: &Scraper{Admins: admins, Client: &http.Client{}},
		traffic: &Traffic{URL: "http://" + pp.Inbound + "/productpage", Rate: cfg.Rate,
			JasonPercent: cfg.JasonPercent, Timeout: 15 * time.Second, Client: client},
	}
	r.view = &tableView{out: cfg.Stdout, tty: cfg.TTY, header: r.header()}
	return r
}

func (r *demoRun) header() []string {
	cp := r.mesh.Plan().ControlPlaneXDS()
	return []string{
		fmt.Sprintf("Loom demo: Bookinfo on loopback, %d apps each behind its own `loom proxy`; control plane on %s.", len(r.mesh.Workloads()), cp),
		fmt.Sprintf("Routing: Istio's %s applied (reviews: 80%% v1, 20%% v2).", strings.Join(Samples, " and ")),
		"On: routing by Loom's proxies, Istio metrics from each sidecar. Off: mTLS (plaintext between sidecars; mTLS comes in a later issue).",
		fmt.Sprintf("Traffic: %d req/s to productpage, %d%% with `end-user: jason`. Rates and percentiles over the last %v, from the destination sidecars.", r.cfg.Rate, r.cfg.JasonPercent, rateWindow),
		fmt.Sprintf("Config: %s (edit or add Istio YAML there; changes apply live). Logs: %s/logs. Ctrl-C stops.", r.mesh.ConfigDir(), r.mesh.Dir()),
	}
}

func (r *demoRun) run(ctx context.Context) error {
	baseline, err := r.scraper.Scrape(ctx)
	if err != nil {
		return err
	}
	r.start = time.Now()
	r.window = &window{span: rateWindow, baseline: baseline}
	r.window.add(r.start, baseline)
	trafficCtx, stopTraffic := context.WithCancel(ctx)
	if r.cfg.Duration > 0 {
		trafficCtx, stopTraffic = context.WithTimeout(ctx, r.cfg.Duration)
	}
	defer stopTraffic()
	var wg sync.WaitGroup
	wg.Go(func() { r.traffic.Run(trafficCtx) })
	failure := r.watch(trafficCtx)
	stopTraffic()
	wg.Wait()
	elapsed := time.Since(r.start)
	final, err := r.scraper.Scrape(context.WithoutCancel(ctx))
	if err := errors.Join(failure, err); err != nil {
		return err
	}
	r.show(time.Now(), final)
	return r.finish(elapsed, final.Sub(baseline))
}

// watch refreshes the table every Refresh until ctx ends or a process of the
// mesh dies (its error is returned).
func (r *demoRun) watch(ctx context.Context) error {
	if r.cfg.Output == OutputTable {
		r.view.printHeader()
	}
	tick := time.NewTicker(r.cfg.Refresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-r.mesh.Failed():
			return err
		case now := <-tick.C:
			t, err := r.scraper.Scrape(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				r.cfg.Logger.Warn("scrape", "err", err)
			}
			r.show(now, t)
		}
	}
}

// show adds a scrape to the window and, in table mode, redraws the table.
func (r *demoRun) show(now time.Time, t Totals) {
	r.window.add(now, t)
	if r.cfg.Output == OutputTable {
		r.view.render(now.Sub(r.start), r.window.rows(), r.traffic.Stats())
	}
}

func (r *demoRun) finish(elapsed time.Duration, delta Totals) error {
	s := summarize(elapsed, Samples, r.traffic.Stats(), delta)
	if r.cfg.Output == OutputJSON {
		enc := json.NewEncoder(r.cfg.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(r.cfg.Stdout, "\nDone after %s: %d requests sent, %d failed; reviews versions that served them: %s.\n",
		s.Duration, s.Client.Sent, s.Client.Failed, shares(s.Client.Reviews))
	return nil
}

// shares renders counts per version as "v1 801 (80.1%), v2 199 (19.9%)".
func shares(byVersion map[string]uint64) string {
	var total uint64
	for _, n := range byVersion {
		total += n
	}
	if total == 0 {
		return "none"
	}
	parts := make([]string, 0, len(byVersion))
	for _, v := range slices.Sorted(maps.Keys(byVersion)) {
		parts = append(parts, fmt.Sprintf("%s %d (%.1f%%)", v, byVersion[v], 100*float64(byVersion[v])/float64(total)))
	}
	return strings.Join(parts, ", ")
}
