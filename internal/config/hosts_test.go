package config

import "testing"

func TestResolveHost(t *testing.T) {
	tests := []struct{ host, ns, want string }{
		{"reviews", "default", "reviews.default.svc.cluster.local"},
		{"reviews", "prod", "reviews.prod.svc.cluster.local"},
		{"reviews.default", "prod", "reviews.default"},
		{"reviews.default.svc.cluster.local", "prod", "reviews.default.svc.cluster.local"},
		{"*.example.com", "default", "*.example.com"},
		{"*", "default", "*"},
		{"10.0.0.1", "default", "10.0.0.1"},
		{"::1", "default", "::1"},
		{"", "default", ""},
	}
	for _, tt := range tests {
		if got := ResolveHost(tt.host, tt.ns); got != tt.want {
			t.Errorf("ResolveHost(%q, %q) = %q, want %q", tt.host, tt.ns, got, tt.want)
		}
	}
}
