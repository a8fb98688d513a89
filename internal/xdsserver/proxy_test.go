package xdsserver

import (
	"net/netip"
	"strings"
	"testing"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/xds"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

func TestParseNode(t *testing.T) {
	const id = "sidecar~127.0.1.3~reviews-v1.default~default.svc.cluster.local"
	meta := func(kv ...any) *structpb.Struct {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		s, err := structpb.NewStruct(m)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := xds.Proxy{
		ID: xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1",
			Namespace: "default", DNSDomain: "default.svc.cluster.local"},
		Workload: "reviews-v1", InterceptionMode: xdsmeta.InterceptionNone,
	}
	withWorkload := want
	withWorkload.Workload, withWorkload.InterceptionMode = "reviews-v1-we", xdsmeta.InterceptionRedirect
	withWorkload.Labels = map[string]string{"app": "reviews"}
	tests := []struct {
		name    string
		node    *core.Node
		want    *xds.Proxy
		wantErr string
	}{
		{"minimal", &core.Node{Id: id, Metadata: meta("NAMESPACE", "default")}, &want, ""},
		{"all metadata", &core.Node{Id: id, Metadata: meta("NAMESPACE", "default", "WORKLOAD_NAME", "reviews-v1-we",
			"INTERCEPTION_MODE", "REDIRECT", "LABELS", map[string]any{"app": "reviews"})}, &withWorkload, ""},
		{"no node", nil, nil, "node.id: required"},
		{"bad id", &core.Node{Id: "reviews", Metadata: meta("NAMESPACE", "default")}, nil, "node.id: node id \"reviews\": want 4 fields"},
		{"bad ip", &core.Node{Id: "sidecar~x~a.default~d", Metadata: meta("NAMESPACE", "default")}, nil, "node.id: node id"},
		{"no namespace", &core.Node{Id: id}, nil, "node.metadata.NAMESPACE: required"},
		{"namespace mismatch", &core.Node{Id: id, Metadata: meta("NAMESPACE", "prod")}, nil,
			"node.metadata.NAMESPACE: \"prod\" does not match the namespace \"default\""},
		{"namespace not a string", &core.Node{Id: id, Metadata: meta("NAMESPACE", 3.0)}, nil, "node.metadata.NAMESPACE: must be a string"},
		{"bad interception", &core.Node{Id: id, Metadata: meta("NAMESPACE", "default", "INTERCEPTION_MODE", "TPROXY")}, nil,
			"node.metadata.INTERCEPTION_MODE: \"TPROXY\": must be"},
		{"labels not a map", &core.Node{Id: id, Metadata: meta("NAMESPACE", "default", "LABELS", "app=x")}, nil,
			"node.metadata.LABELS: must be a map of strings"},
		{"label not a string", &core.Node{Id: id, Metadata: meta("NAMESPACE", "default", "LABELS", map[string]any{"n": 1.0})}, nil,
			"node.metadata.LABELS.n: must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNode(tt.node)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("ParseNode (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseNode(f *testing.F) {
	f.Add("sidecar~127.0.1.3~reviews-v1.default~default.svc.cluster.local", "default", "reviews-v1", "NONE")
	f.Add("router~::1~gw.ns~ns.svc.cluster.local", "ns", "", "REDIRECT")
	f.Fuzz(func(t *testing.T, id, ns, workload, mode string) {
		node := &core.Node{Id: id, Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{
			"NAMESPACE": structpb.NewStringValue(ns), "WORKLOAD_NAME": structpb.NewStringValue(workload),
			"INTERCEPTION_MODE": structpb.NewStringValue(mode),
		}}}
		p, err := ParseNode(node)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "node.") {
				t.Fatalf("error does not name a node field: %v", err)
			}
			return
		}
		if p.ID.Namespace != ns || p.Workload == "" {
			t.Fatalf("accepted %q with namespace %q: %+v", id, ns, p)
		}
	})
}
