package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"

	"github.com/loom-mesh/loom/internal/proxy/admin"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

type discardSink struct{}

func (discardSink) Apply(*snapshot.Snapshot) {}

// proxyAdmin runs a real xDS client against a loopback control plane
// holding a small sidecar config, and serves its admin; it returns the
// admin's URL once the config is applied.
func proxyAdmin(t *testing.T) string {
	t.Helper()
	node := xdsclient.NodeConfig{IP: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1", Namespace: "default"}
	cp := xdstest.Start(t, "127.0.0.1:0")
	const v1 = "outbound|9080|v1|reviews.default.svc.cluster.local"
	m := xdstest.BaseMesh(t, "127.0.2.2", "127.0.2.1")
	m.Listeners = append(m.Listeners, xdstest.InboundListener(t, "127.0.1.3", 9080))
	m.Clusters = append(m.Clusters, xdstest.EDSCluster(v1), xdstest.StaticCluster("inbound|9080||", "127.0.1.3", 8080))
	m.Endpoints = append(m.Endpoints, xdstest.Endpoints(v1, "127.0.2.1"))
	route := xdstest.RouteConfig("9080", xdstest.Reviews)
	route.VirtualHosts[0].Domains = []string{"reviews", "reviews:9080", "reviews.default", "reviews.default.svc.cluster.local"}
	m.Routes = []types.Resource{route}
	cp.Set(node.ID(), "1", m)

	client, err := xdsclient.New(xdsclient.Config{ControlPlane: cp.Addr, Node: node, Sink: discardSink{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = client.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-client.Synced():
	case <-time.After(10 * time.Second):
		t.Fatalf("proxy never synced: %+v", client.Status())
	}
	srv, err := admin.New(admin.Options{XDS: client})
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(srv)
	t.Cleanup(h.Close)
	return h.URL
}

func TestProxyConfigTables(t *testing.T) {
	url := proxyAdmin(t)
	tests := []struct {
		kind string
		want string
	}{
		{"listeners", `
ADDRESS     PORT   DIRECTION   DESTINATION
127.0.0.1   9080   OUTBOUND    Route: 9080
127.0.1.3   9080   INBOUND     Inline Route: inbound|9080||
`},
		{"routes", `
NAME             DOMAINS                          MATCH   VIRTUAL SERVICE
9080             reviews, reviews:9080 + 2 more   /*      -
inbound|9080||   *                                /*      -
`},
		{"clusters", `
SERVICE FQDN                        PORT   SUBSET   DIRECTION   TYPE
-                                   9080   -        inbound     STATIC
reviews.default.svc.cluster.local   9080   -        outbound    EDS
reviews.default.svc.cluster.local   9080   v1       outbound    EDS
`},
		{"endpoints", `
ENDPOINT         STATUS    CLUSTER
127.0.1.3:8080   HEALTHY   inbound|9080||
127.0.2.1:9080   HEALTHY   outbound|9080|v1|reviews.default.svc.cluster.local
127.0.2.1:9080   HEALTHY   outbound|9080||reviews.default.svc.cluster.local
127.0.2.2:9080   HEALTHY   outbound|9080||reviews.default.svc.cluster.local
`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			code, out, errOut := runLoom(t, "proxy-config", tt.kind, url)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			want := strings.TrimPrefix(tt.want, "\n")
			if out != want {
				t.Errorf("proxy-config %s:\n got:\n%s\nwant:\n%s", tt.kind, out, want)
			}
		})
	}
}

func TestProxyConfigJSON(t *testing.T) {
	url := proxyAdmin(t)
	code, out, errOut := runLoom(t, "proxy-config", "listeners", url, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var listeners []struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(out), &listeners); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(listeners) != 2 || listeners[0].Name != "127.0.0.1_9080" || !strings.HasSuffix(listeners[0].Type, "envoy.config.listener.v3.Listener") {
		t.Errorf("listeners = %+v", listeners)
	}
	code, out, _ = runLoom(t, "proxy-config", "routes", url, "-o", "json")
	if code != 0 || !strings.Contains(out, `"name": "inbound|9080||"`) || !strings.Contains(out, `"name": "9080"`) {
		t.Errorf("routes -o json: exit %d\n%s", code, out)
	}
}

func TestProxyConfigErrors(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stderrIn string
	}{
		{[]string{"proxy-config", "secrets"}, 2, `"secrets": want one of listeners, routes, clusters, endpoints`},
		{[]string{"proxy-config", "listeners", "-o", "yaml"}, 2, `-o "yaml": want table or json`},
		{[]string{"proxy-config", "listeners", "127.0.0.1:1", "--timeout", "2s"}, 1, "GET http://127.0.0.1:1/config_dump"},
		{[]string{"proxy-config"}, 1, "accepts between 1 and 2 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := runLoom(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderrIn) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", code, errOut, tt.code, tt.stderrIn)
			}
		})
	}
}
