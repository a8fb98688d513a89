package main

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"
)

func printTable(w io.Writer, o options, rows []row) {
	proto := "state-of-the-world"
	if o.delta {
		proto = "delta"
	}
	fmt.Fprintf(w, "\ncontrol plane benchmark, %s, %s xDS, %d endpoints per service, %d repetitions, debounce %s/%s, GOMAXPROCS %d, %d CPUs\n\n",
		time.Now().Format("2006-01-02"), proto, o.endpoints, o.reps, o.debounceQuiet, o.debounceMax, runtime.GOMAXPROCS(0), runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "control plane\tproxies\tservices\troute p50\troute p99\tendpoint p50\tendpoint p99\tCPU/route push\tCPU/endpoint push\theap/proxy\theap (N proxies)\tRSS (N proxies)\tpeak RSS\t")
	var notes []string
	for _, r := range rows {
		if r.note != "" {
			notes = append(notes, fmt.Sprintf("%s, %d proxies, %d services: %s", label(r.impl), r.proxies, r.services, r.note))
			fmt.Fprintf(tw, "%s\t%d\t%d\t(see below)\t\t\t\t\t\t\t\t\t\t\n", label(r.impl), r.proxies, r.services)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f MB\t%.0f MB\t%.0f MB\t%.0f MB\t\n",
			label(r.impl), r.proxies, r.services,
			secs(percentile(r.route, 0.5)), secs(percentile(r.route, 0.99)),
			secs(percentile(r.endpoint, 0.5)), secs(percentile(r.endpoint, 0.99)),
			secs(r.routeCPU), secs(r.epCPU), r.heapPerProxy/(1<<20), mb(r.heapN), mb(r.rss), mb(r.peakRSS))
	}
	_ = tw.Flush()
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, "\nroute/endpoint: file rewritten → every proxy ACKed the new RDS/EDS (includes the config watcher and debounce).")
	fmt.Fprintln(w, "heap/proxy: live heap after GC with N proxies minus with none, over N. CPU: control-plane process only.")
	fmt.Fprintln(w, "RSS: after the proxies synced; peak RSS: the control plane's high-water mark over the whole run.")
}

func label(impl string) string {
	if impl == "naive" {
		return "go-control-plane SnapshotCache, snapshot per node"
	}
	return "loom"
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }
