package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveHost(t *testing.T) {
	tests := []struct{ name, ns, want string }{
		{"reviews", "default", "reviews.default.svc.cluster.local"},
		{"reviews", "prod", "reviews.prod.svc.cluster.local"},
		{"reviews.default", "prod", "reviews.default"},
		{"reviews.default.svc.cluster.local", "prod", "reviews.default.svc.cluster.local"},
		{"api.example.com", "default", "api.example.com"},
		{"*", "default", "*"},
		{"*.example.com", "default", "*.example.com"},
		{"10.0.0.1", "default", "10.0.0.1"},
		{"::1", "default", "::1"},
		{"", "default", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+"@"+tt.ns, func(t *testing.T) {
			if got := ResolveHost(tt.name, tt.ns); got != tt.want {
				t.Errorf("ResolveHost(%q, %q) = %q, want %q", tt.name, tt.ns, got, tt.want)
			}
		})
	}
}

func TestHostMatches(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local", true},
		{"reviews.default.svc.cluster.local", "ratings.default.svc.cluster.local", false},
		{"*", "anything.example.com", true},
		{"*.default.svc.cluster.local", "reviews.default.svc.cluster.local", true},
		{"*.default.svc.cluster.local", "reviews.prod.svc.cluster.local", false},
		{"*.example.com", "example.com", false},
		{"example.com", "www.example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.host, func(t *testing.T) {
			if got := HostMatches(tt.pattern, tt.host); got != tt.want {
				t.Errorf("HostMatches(%q, %q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
			}
		})
	}
}

func TestKubernetesShortNames(t *testing.T) {
	tests := []struct {
		host, ns string
		want     []string
	}{
		{"reviews.default.svc.cluster.local", "default", []string{"reviews", "reviews.default", "reviews.default.svc"}},
		{"reviews.default.svc.cluster.local", "prod", []string{"reviews.default", "reviews.default.svc"}},
		{"api.example.com", "default", nil},
		{"a.b.c.svc.cluster.local", "default", nil},
	}
	for _, tt := range tests {
		t.Run(tt.host+"@"+tt.ns, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, KubernetesShortNames(tt.host, tt.ns)); diff != "" {
				t.Errorf("KubernetesShortNames(%q, %q) (-want +got):\n%s", tt.host, tt.ns, diff)
			}
		})
	}
}

func TestProtocolOf(t *testing.T) {
	tests := []struct {
		declared, name string
		want           Protocol
		http, http2    bool
	}{
		{"HTTP", "", ProtocolHTTP, true, false},
		{"http", "tcp-x", ProtocolHTTP, true, false},
		{"GRPC", "", ProtocolGRPC, true, true},
		{"HTTP2", "", ProtocolHTTP2, true, true},
		{"", "http", ProtocolHTTP, true, false},
		{"", "http-web", ProtocolHTTP, true, false},
		{"", "grpc-api", ProtocolGRPC, true, true},
		{"", "http2", ProtocolHTTP2, true, true},
		{"", "mongo", ProtocolTCP, false, false},
		{"", "", ProtocolTCP, false, false},
		{"TLS", "", "TLS", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.declared+"/"+tt.name, func(t *testing.T) {
			got := ProtocolOf(tt.declared, tt.name)
			if got != tt.want || got.IsHTTP() != tt.http || got.IsHTTP2() != tt.http2 {
				t.Errorf("ProtocolOf(%q, %q) = %q (http %v, http2 %v), want %q (%v, %v)",
					tt.declared, tt.name, got, got.IsHTTP(), got.IsHTTP2(), tt.want, tt.http, tt.http2)
			}
		})
	}
}

func TestExportTo(t *testing.T) {
	tests := []struct {
		name    string
		list    []string
		visible map[string]bool
	}{
		{"empty is everywhere", nil, map[string]bool{"default": true, "other": true}},
		{"star", []string{"*"}, map[string]bool{"default": true, "other": true}},
		{"dot is own namespace", []string{"."}, map[string]bool{"default": true, "other": false}},
		{"tilde is nowhere", []string{"~"}, map[string]bool{"default": false, "other": false}},
		{"named", []string{"other"}, map[string]bool{"default": false, "other": true}},
		{"dot and named", []string{".", "other"}, map[string]bool{"default": true, "other": true, "third": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseExportTo(tt.list, "default")
			for ns, want := range tt.visible {
				if got := e.VisibleTo(ns); got != want {
					t.Errorf("exportTo %v: VisibleTo(%q) = %v, want %v", tt.list, ns, got, want)
				}
			}
		})
	}
}

func TestParseLocality(t *testing.T) {
	tests := []struct {
		in   string
		want Locality
	}{
		{"", Locality{}},
		{"us-east", Locality{Region: "us-east"}},
		{"us-east/a", Locality{Region: "us-east", Zone: "a"}},
		{"us-east/a/rack1", Locality{Region: "us-east", Zone: "a", SubZone: "rack1"}},
		{"r/z/s/extra", Locality{Region: "r", Zone: "z", SubZone: "s/extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ParseLocality(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseLocality(%q) (-want +got):\n%s", tt.in, diff)
			}
			if tt.in != "r/z/s/extra" && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestLabelsMatch(t *testing.T) {
	labels := map[string]string{"app": "reviews", "version": "v1"}
	tests := []struct {
		sel  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"app": "reviews"}, true},
		{map[string]string{"app": "reviews", "version": "v1"}, true},
		{map[string]string{"app": "reviews", "version": "v2"}, false},
		{map[string]string{"zone": "a"}, false},
	}
	for _, tt := range tests {
		if got := LabelsMatch(tt.sel, labels); got != tt.want {
			t.Errorf("LabelsMatch(%v) = %v, want %v", tt.sel, got, tt.want)
		}
	}
}
