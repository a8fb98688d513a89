package xds

import (
	"net/netip"
	"testing"

	"github.com/loom-mesh/loom/internal/registry"
)

func TestServiceFor(t *testing.T) {
	w := &registry.Workload{Namespace: "default", Name: "api-1", Address: "127.0.1.1"}
	b := registry.NewBuilder()
	b.AddWorkload(w)
	// a.example selects the workload on port 80 → 9080; b.example on 9443.
	for _, s := range []struct {
		host         string
		port, target uint32
	}{{"a.example", 80, 9080}, {"b.example", 9443, 9443}} {
		b.AddService(&registry.Service{Hostname: s.host, Ports: []registry.Port{{Number: s.port, TargetPort: s.target}}})
		b.AddEndpoint(s.host, s.port, &registry.Endpoint{Address: w.Address, Port: s.target, Weight: 1, Workload: w})
	}
	reg := b.Build()
	tests := []struct {
		port uint32
		want string
	}{
		{9080, "a.example"}, // by the endpoint's port, not the service port
		{9443, "b.example"},
		{7000, "a.example"}, // no service on the port: the first
	}
	for _, tt := range tests {
		if got := serviceFor(reg, w, tt.port); got != tt.want {
			t.Errorf("serviceFor(%d) = %q, want %q", tt.port, got, tt.want)
		}
	}
	if got := serviceFor(reg, &registry.Workload{Namespace: "default", Name: "other"}, 9080); got != "" {
		t.Errorf("unselected workload: %q", got)
	}
}

func TestParseDefaultEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		port uint32
		want string
		ok   bool
	}{
		{"", 9080, "127.0.0.1:9080", true},
		{"127.0.0.1:19080", 9080, "127.0.0.1:19080", true},
		{"0.0.0.0:19080", 9080, "127.0.0.1:19080", true},
		{"[::1]:19080", 9080, "[::1]:19080", true},
		{"unix:///var/run/app.sock", 9080, "", false},
		{"127.0.0.1", 9080, "", false},
		{"127.0.0.1:0", 9080, "", false},
		{"", 0, "", false},
	}
	for _, tt := range tests {
		got, ok := parseDefaultEndpoint(tt.in, tt.port)
		if ok != tt.ok || (ok && got != netip.MustParseAddrPort(tt.want)) {
			t.Errorf("parseDefaultEndpoint(%q, %d) = %v, %v; want %s, %v", tt.in, tt.port, got, ok, tt.want, tt.ok)
		}
	}
}
