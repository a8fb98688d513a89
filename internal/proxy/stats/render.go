package stats

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// scope is one named group of stats (a listener, a connection manager, a
// cluster) rendered with a common prefix.
type scope struct {
	name   string
	values []namedValue
}

type family struct {
	prefix   string // Envoy text prefix: "listener", "http", "cluster"
	promName string // Prometheus metric prefix
	label    string // Prometheus label naming the scope
	scopes   []scope
}

func (s *Store) families() []family {
	s.mu.Lock()
	defer s.mu.Unlock()
	fams := []family{
		{prefix: "listener", promName: "envoy_listener_", label: "envoy_listener_address"},
		{prefix: "http", promName: "envoy_http_", label: "envoy_http_conn_manager_prefix"},
		{prefix: "cluster", promName: "envoy_cluster_", label: "cluster_name"},
	}
	for _, k := range sortedKeys(s.listeners) {
		fams[0].scopes = append(fams[0].scopes, scope{k, s.listeners[k].values()})
	}
	for _, k := range sortedKeys(s.http) {
		fams[1].scopes = append(fams[1].scopes, scope{k, s.http[k].values()})
	}
	for _, k := range sortedKeys(s.clusters) {
		fams[2].scopes = append(fams[2].scopes, scope{k, s.clusters[k].values()})
	}
	return fams
}

func (s *Store) recorders() []*Istio {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Istio, 0, len(s.istio))
	for _, k := range sortedKeys(s.istio) {
		out = append(out, s.istio[k])
	}
	return out
}

// WriteText writes every stat as Envoy's admin /stats does: `name: value`.
func (s *Store) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, f := range s.families() {
		for _, sc := range f.scopes {
			for _, v := range sc.values {
				fmt.Fprintf(bw, "%s.%s.%s: %d\n", f.prefix, sc.name, v.name, v.value)
			}
		}
	}
	for _, m := range s.recorders() {
		for _, se := range m.sorted() {
			fmt.Fprintf(bw, "istio_requests_total{%s,%s}: %d\n", m.labels, se.key.labels(), se.count.Load())
		}
	}
	return bw.Flush()
}

// WritePrometheus writes every stat in the Prometheus text exposition format.
func (s *Store) WritePrometheus(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, f := range s.families() {
		writePromFamily(bw, f)
	}
	writeIstio(bw, s.recorders())
	return bw.Flush()
}

func writePromFamily(w *bufio.Writer, f family) {
	if len(f.scopes) == 0 {
		return
	}
	for i, v := range f.scopes[0].values {
		name := f.promName + strings.ReplaceAll(v.name, ".", "_")
		kind := "counter"
		if strings.HasSuffix(v.name, "_active") {
			kind = "gauge"
		}
		fmt.Fprintf(w, "# TYPE %s %s\n", name, kind)
		for _, sc := range f.scopes {
			fmt.Fprintf(w, "%s{%s=\"%s\"} %d\n", name, f.label, escapeLabel(sc.name), sc.values[i].value)
		}
	}
}

func writeIstio(w *bufio.Writer, recs []*Istio) {
	if len(recs) == 0 {
		return
	}
	w.WriteString("# TYPE istio_requests_total counter\n")
	for _, m := range recs {
		for _, se := range m.sorted() {
			fmt.Fprintf(w, "istio_requests_total{%s,%s} %d\n", m.labels, se.key.labels(), se.count.Load())
		}
	}
	w.WriteString("# TYPE istio_request_duration_milliseconds histogram\n")
	for _, m := range recs {
		for _, se := range m.sorted() {
			writeHistogram(w, m.labels+","+se.key.labels(), se)
		}
	}
}

func writeHistogram(w *bufio.Writer, labels string, se *series) {
	const name = "istio_request_duration_milliseconds"
	var cum uint64
	for i, b := range DurationBuckets {
		cum += se.buckets[i].Load()
		fmt.Fprintf(w, "%s_bucket{%s,le=\"%s\"} %d\n", name, labels, strconv.FormatFloat(b, 'f', -1, 64), cum)
	}
	count := max(se.count.Load(), cum) // a concurrent Record may be half done
	fmt.Fprintf(w, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, count)
	fmt.Fprintf(w, "%s_sum{%s} %s\n", name, labels, strconv.FormatFloat(float64(se.sumUs.Load())/1000, 'f', -1, 64))
	fmt.Fprintf(w, "%s_count{%s} %d\n", name, labels, count)
}

func (m *Istio) sorted() []*series {
	all := *m.series.Load()
	out := make([]*series, 0, len(all))
	for _, s := range all {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].key, out[j].key
		if a.code != b.code {
			return a.code < b.code
		}
		if a.proto != b.proto {
			return a.proto < b.proto
		}
		if a.flag != b.flag {
			return a.flag < b.flag
		}
		return a.grpc < b.grpc
	})
	return out
}
