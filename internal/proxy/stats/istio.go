package stats

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Workload is the destination identity an inbound listener reports under.
type Workload struct {
	Name, Namespace, App, Version, Service string
}

func (w Workload) key() string {
	return strings.Join([]string{w.Name, w.Namespace, w.App, w.Version, w.Service}, "|")
}

// Protocol is Istio's request_protocol label.
type Protocol uint8

// Protocols.
const (
	ProtoHTTP Protocol = iota
	ProtoGRPC
)

func (p Protocol) String() string {
	if p == ProtoGRPC {
		return "grpc"
	}
	return "http"
}

// DurationBuckets are Envoy's (and so Istio's) default histogram bounds, in ms.
var DurationBuckets = [...]float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000}

// Istio records istio_requests_total and istio_request_duration_milliseconds
// for one destination workload (reporter="destination").
type Istio struct {
	workload Workload
	labels   string // the constant part of every series' labels
	mu       sync.Mutex
	series   atomic.Pointer[map[seriesKey]*series]
}

type seriesKey struct {
	code  uint16
	proto Protocol
	flag  ResponseFlag
	grpc  int8 // -1: no grpc-status
}

type series struct {
	key     seriesKey
	count   atomic.Uint64
	sumUs   atomic.Uint64
	buckets [len(DurationBuckets)]atomic.Uint64
}

func newIstio(w Workload) *Istio {
	m := &Istio{workload: w, labels: destinationLabels(w)}
	m.series.Store(&map[seriesKey]*series{})
	return m
}

// Record counts one finished request: its status, protocol, gRPC status (-1
// when the response had none), response flag and duration.
func (m *Istio) Record(code int, proto Protocol, grpcStatus int, flag ResponseFlag, d time.Duration) {
	k := seriesKey{code: uint16(code), proto: proto, flag: flag, grpc: int8(grpcStatus)}
	s := (*m.series.Load())[k]
	if s == nil {
		s = m.add(k)
	}
	s.count.Add(1)
	s.sumUs.Add(uint64(d.Microseconds()))
	ms := float64(d) / float64(time.Millisecond)
	for i, b := range DurationBuckets {
		if ms <= b {
			s.buckets[i].Add(1)
			break
		}
	}
}

// add inserts a series copy-on-write, so readers never lock.
func (m *Istio) add(k seriesKey) *series {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.series.Load()
	if s, ok := old[k]; ok {
		return s
	}
	next := make(map[seriesKey]*series, len(old)+1)
	for kk, v := range old {
		next[kk] = v
	}
	s := &series{key: k}
	next[k] = s
	m.series.Store(&next)
	return s
}

// destinationLabels renders the labels that do not vary per request, as
// Istio's stats filter names them. Source labels stay "unknown" until peer
// metadata exchange lands.
func destinationLabels(w Workload) string {
	canonical := w.App
	if canonical == "" {
		canonical = w.Name
	}
	revision := w.Version
	if revision == "" {
		revision = "latest"
	}
	svcName, _, _ := strings.Cut(w.Service, ".")
	pairs := [][2]string{
		{"reporter", "destination"},
		{"source_workload", "unknown"},
		{"source_canonical_service", "unknown"},
		{"source_canonical_revision", "latest"},
		{"source_workload_namespace", "unknown"},
		{"source_principal", "unknown"},
		{"source_app", "unknown"},
		{"source_version", "unknown"},
		{"source_cluster", "unknown"},
		{"destination_workload", orUnknown(w.Name)},
		{"destination_workload_namespace", orUnknown(w.Namespace)},
		{"destination_principal", "unknown"},
		{"destination_app", orUnknown(w.App)},
		{"destination_version", orUnknown(w.Version)},
		{"destination_service", orUnknown(w.Service)},
		{"destination_canonical_service", orUnknown(canonical)},
		{"destination_canonical_revision", revision},
		{"destination_service_name", orUnknown(svcName)},
		{"destination_service_namespace", orUnknown(w.Namespace)},
		{"destination_cluster", "unknown"},
		{"connection_security_policy", "none"},
	}
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeLabel(&b, p[0], p[1])
	}
	return b.String()
}

func (k seriesKey) labels() string {
	var b strings.Builder
	writeLabel(&b, "request_protocol", k.proto.String())
	b.WriteByte(',')
	writeLabel(&b, "response_code", strconv.Itoa(int(k.code)))
	b.WriteByte(',')
	grpc := ""
	if k.grpc >= 0 {
		grpc = strconv.Itoa(int(k.grpc))
	}
	writeLabel(&b, "grpc_response_status", grpc)
	b.WriteByte(',')
	writeLabel(&b, "response_flags", k.flag.String())
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func writeLabel(b *strings.Builder, name, value string) {
	b.WriteString(name)
	b.WriteString(`="`)
	b.WriteString(escapeLabel(value))
	b.WriteByte('"')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return labelEscaper.Replace(s)
}
