package xdsmeta

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNodeID(t *testing.T) {
	tests := []struct {
		id      string
		want    NodeID
		wantErr string
	}{
		{id: "sidecar~127.0.1.3~reviews-v1.default~default.svc.cluster.local",
			want: NodeID{Type: NodeSidecar, IP: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1", Namespace: "default", DNSDomain: "default.svc.cluster.local"}},
		{id: "router~10.0.0.1~ingress.gw.x~istio-system.svc.cluster.local",
			want: NodeID{Type: NodeRouter, IP: netip.MustParseAddr("10.0.0.1"), Workload: "ingress.gw", Namespace: "x", DNSDomain: "istio-system.svc.cluster.local"}},
		{id: "sidecar~::1~a.b~b.svc.cluster.local",
			want: NodeID{Type: NodeSidecar, IP: netip.MustParseAddr("::1"), Workload: "a", Namespace: "b", DNSDomain: "b.svc.cluster.local"}},
		{id: "sidecar~127.0.0.1~a.b", wantErr: "want 4 fields"},
		{id: "gateway~127.0.0.1~a.b~b.svc", wantErr: `type "gateway"`},
		{id: "sidecar~not-an-ip~a.b~b.svc", wantErr: `ip "not-an-ip"`},
		{id: "sidecar~127.0.0.1~nonamespace~b.svc", wantErr: "want <workload>.<namespace>"},
		{id: "sidecar~127.0.0.1~trailing.~b.svc", wantErr: "want <workload>.<namespace>"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, err := ParseNodeID(tt.id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseNodeID(%q) error = %v, want one containing %q", tt.id, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseNodeID(%q): %v", tt.id, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("ParseNodeID (-want +got):\n%s", diff)
			}
			if got.String() != tt.id {
				t.Errorf("String() = %q, want the id back: %q", got.String(), tt.id)
			}
		})
	}
}

func TestClusterNames(t *testing.T) {
	tests := []struct {
		name string
		want ClusterName
	}{
		{OutboundCluster("reviews.default.svc.cluster.local", 9080, "v1"), ClusterName{Outbound, 9080, "v1", "reviews.default.svc.cluster.local"}},
		{OutboundCluster("reviews.default.svc.cluster.local", 9080, ""), ClusterName{Outbound, 9080, "", "reviews.default.svc.cluster.local"}},
		{InboundCluster(9080), ClusterName{Inbound, 9080, "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClusterName(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseClusterName (-want +got):\n%s", diff)
			}
		})
	}
	if got := InboundCluster(9080); got != "inbound|9080||" {
		t.Errorf("InboundCluster(9080) = %q", got)
	}
	if got := OutboundCluster("r.ns.svc.cluster.local", 9080, "v1"); got != "outbound|9080|v1|r.ns.svc.cluster.local" {
		t.Errorf("OutboundCluster = %q", got)
	}
	for _, bad := range []string{"outbound|9080|v1", "sideways|9080||x", "outbound|port||x"} {
		if _, err := ParseClusterName(bad); err == nil {
			t.Errorf("ParseClusterName(%q) accepted a malformed name", bad)
		}
	}
	if got := ListenerName("127.0.0.1", 9080); got != "127.0.0.1_9080" {
		t.Errorf("ListenerName = %q", got)
	}
}
