package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// summary is the median over rounds of one row.
type summary struct {
	p50, p90, p99             time.Duration
	added50, added90, added99 time.Duration // over the baseline row of the same round
	cpuPer1k                  time.Duration // per proxy, per 1,000 requests
	peakRSS, anonRSS          int64
	requests, errors          int64
	hasBaseline, hasProxies   bool
}

func summarize(r row, results map[string][]measurement) summary {
	ms := results[r.name]
	base := results[r.baseline]
	var s summary
	var p50, p90, p99, a50, a90, a99, cpu []time.Duration
	var rss, anon []int64
	for i, m := range ms {
		p50, p90, p99 = append(p50, m.load.p50), append(p90, m.load.p90), append(p99, m.load.p99)
		s.requests += m.load.requests
		s.errors += m.load.errors
		if i < len(base) {
			b := base[i].load
			a50, a90, a99 = append(a50, m.load.p50-b.p50), append(a90, m.load.p90-b.p90), append(a99, m.load.p99-b.p99)
		}
		if m.proxies > 0 && m.load.requests > 0 {
			cpu = append(cpu, m.cpu*1000/time.Duration(m.load.requests)/time.Duration(m.proxies))
			rss = append(rss, m.peakRSS)
			anon = append(anon, m.anonRSS)
		}
	}
	s.p50, s.p90, s.p99 = median(p50), median(p90), median(p99)
	s.hasBaseline = len(a50) > 0
	s.added50, s.added90, s.added99 = median(a50), median(a90), median(a99)
	s.hasProxies = len(cpu) > 0
	s.cpuPer1k, s.peakRSS, s.anonRSS = median(cpu), median(rss), median(anon)
	return s
}

func median[T int64 | time.Duration](v []T) T {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

func printReport(w io.Writer, o options, selected []row, results map[string][]measurement) {
	fmt.Fprintf(w, "\n%d req/s over %d connections, %s per run, %d rounds interleaved; medians over rounds.\n",
		o.qps, o.conns, o.duration, o.rounds)
	fmt.Fprintf(w, "Latency added is over the baseline row of the same round; CPU and RSS are per proxy (two hops).\n")
	fmt.Fprintf(w, "Private RSS is RssAnon at the end of the run: the pages not shared with other processes running the same binary.\n\n")
	fmt.Fprintln(w, "| row | p50 | p90 | p99 | added p50 | added p90 | added p99 | CPU per 1k req (each proxy) | peak RSS (each proxy) | private RSS (each proxy) | requests | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	sums := map[string]summary{}
	for _, r := range selected {
		s := summarize(r, results)
		sums[r.name] = s
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d |\n", r.name,
			ms(s.p50), ms(s.p90), ms(s.p99),
			opt(s.hasBaseline, ms(s.added50)), opt(s.hasBaseline, ms(s.added90)), opt(s.hasBaseline, ms(s.added99)),
			opt(s.hasProxies, fmt.Sprintf("%.1f ms", float64(s.cpuPer1k)/float64(time.Millisecond))),
			opt(s.hasProxies, mb(s.peakRSS)), opt(s.hasProxies, mb(s.anonRSS)),
			s.requests, s.errors)
	}
	ngx, ok := sums["nginx"]
	loom, ok2 := sums["loom"]
	if ok && ok2 && ngx.added50 > 0 && ngx.cpuPer1k > 0 {
		fmt.Fprintf(w, "\nloom relative to nginx (HTTP/1.1, two hops): added p50 %.2fx, added p99 %.2fx, CPU %.2fx, RSS %.2fx (targets: 1.3x, 1.3x, 1.3x, 15 MB)\n",
			ratio(loom.added50, ngx.added50), ratio(loom.added99, ngx.added99),
			ratio(loom.cpuPer1k, ngx.cpuPer1k), float64(loom.peakRSS)/float64(max(ngx.peakRSS, 1)))
	}
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

func opt(ok bool, s string) string {
	if !ok {
		return "-"
	}
	return s
}
