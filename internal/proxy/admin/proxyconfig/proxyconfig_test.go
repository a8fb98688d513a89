package proxyconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// envoyAdmin serves testdata/envoy_config_dump.json, written in the shape of
// an Istio sidecar Envoy's dump: types this binary does not link (TLS,
// Istio's stats and metadata exchange filters), fields and enum values from
// newer Envoys, static resources, warming ones.
func envoyAdmin(t *testing.T) string {
	t.Helper()
	dump, err := os.ReadFile("testdata/envoy_config_dump.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/config_dump" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(dump)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func run(t *testing.T, cfg Config) string {
	t.Helper()
	var out bytes.Buffer
	cfg.Stdout = &out
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestTablesFromAnEnvoyDump(t *testing.T) {
	admin := envoyAdmin(t)
	tests := map[string]string{
		"listeners": `
ADDRESS   PORT    DIRECTION   DESTINATION
0.0.0.0   15001   OUTBOUND    Route: 9080
0.0.0.0   15001   OUTBOUND    Cluster: PassthroughCluster
`,
		"routes": `
NAME   DOMAINS                                               MATCH             VIRTUAL SERVICE
9080   reviews.default.svc.cluster.local, reviews + 2 more   /*                reviews.default
9080   reviews.default.svc.cluster.local, reviews + 2 more   /api/v[0-9]+/.*   -
9080   *                                                     /*                -
`,
		"clusters": `
SERVICE FQDN                        PORT   SUBSET   DIRECTION   TYPE
BlackHoleCluster                    -      -        -           STATIC
PassthroughCluster                  -      -        -           ORIGINAL_DST
prometheus_stats                    -      -        -           STATIC
reviews.default.svc.cluster.local   9080   v2       outbound    EDS
`,
		"endpoints": `
ENDPOINT          STATUS      CLUSTER
10.1.0.12:9080    HEALTHY     outbound|9080|v2|reviews.default.svc.cluster.local
10.1.0.13:9080    UNHEALTHY   outbound|9080|v2|reviews.default.svc.cluster.local
10.1.0.14:9080    HEALTHY     outbound|9080|v2|reviews.default.svc.cluster.local
127.0.0.1:15000   HEALTHY     prometheus_stats
`,
	}
	for kind, want := range tests {
		t.Run(kind, func(t *testing.T) {
			got := run(t, Config{Kind: kind, Admin: admin})
			if want = strings.TrimPrefix(want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestJSONKeepsUnknownContent(t *testing.T) {
	out := run(t, Config{Kind: "clusters", Admin: envoyAdmin(t), Output: "json"})
	var clusters []map[string]any
	if err := json.Unmarshal([]byte(out), &clusters); err != nil {
		t.Fatal(err)
	}
	if len(clusters) != 4 {
		t.Fatalf("%d clusters, want the 4 active ones:\n%s", len(clusters), out)
	}
	for _, kept := range []string{`"sni": "outbound_.9080_.v2_.reviews.default.svc.cluster.local"`, `"a_field_from_a_newer_envoy"`} {
		if !strings.Contains(out, kept) {
			t.Errorf("-o json lost %s", kept)
		}
	}
}

func TestErrors(t *testing.T) {
	notDump := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	defer notDump.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "INITIALIZING: waiting\nmore", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Kind: "listeners", Admin: notDump.URL}, "not an Envoy config dump"},
		{Config{Kind: "listeners", Admin: down.URL}, "503 Service Unavailable: INITIALIZING: waiting"},
		{Config{Kind: "secrets"}, `"secrets": want one of listeners, routes, clusters, endpoints`},
	}
	for _, tt := range tests {
		tt.cfg.Stdout = &bytes.Buffer{}
		err := Run(context.Background(), tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}
