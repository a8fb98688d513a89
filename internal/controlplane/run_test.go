package controlplane

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/xdsserver"
	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const meshYAML = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews}
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1}
spec: {address: 127.0.1.3, labels: {app: reviews, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v3}
spec: {address: 127.0.1.5, labels: {app: reviews, version: v3}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: productpage-v1}
spec: {address: 127.0.1.1, labels: {app: productpage, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v3, labels: {version: v3}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: productpage}
spec:
  workloadSelector: {labels: {app: productpage}}
  egress:
  - port: {number: 9080, protocol: HTTP, name: http}
    bind: 127.0.0.1
    captureMode: NONE
    hosts: [./reviews.default.svc.cluster.local]
`

func reviewsVS(v1, v3 int) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: ` + itoa(v1) + `
    - destination: {host: reviews, subset: v3}
      weight: ` + itoa(v3) + "\n"
}

func itoa(n int) string { return strconv.Itoa(n) }

// controlPlane runs Run on loopback ports for one test.
type controlPlane struct {
	dir, xds, admin string
}

func startControlPlane(t *testing.T) *controlPlane {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	write(t, filepath.Join(dir, "reviews-vs.yaml"), reviewsVS(80, 20))
	cp := &controlPlane{dir: dir, xds: freeAddr(t), admin: freeAddr(t)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{ConfigDir: dir, XDSAddress: cp.xds, AdminAddress: cp.admin,
			Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	waitFor(t, "control plane ready", func() bool { return cp.get(t, "/ready") == "ready\n" })
	return cp
}

func (cp *controlPlane) connect(t *testing.T) *adstest.Client {
	t.Helper()
	cc, err := grpc.NewClient(cp.xds, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	client := adstest.New(adstest.Options{Node: &core.Node{
		Id: "sidecar~127.0.1.1~productpage-v1.default~default.svc.cluster.local",
		Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{
			"NAMESPACE": structpb.NewStringValue("default"), "WORKLOAD_NAME": structpb.NewStringValue("productpage-v1"),
		}},
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = client.Run(ctx, cc)
	}()
	t.Cleanup(func() { cancel(); <-done; cc.Close() })
	return client
}

func (cp *controlPlane) get(t *testing.T, path string) string {
	resp, err := http.Get("http://" + cp.admin + path)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// weights reads the weighted clusters of route configuration "9080".
func weights(c *adstest.Client) map[string]uint32 {
	out := map[string]uint32{}
	a := c.State(adstest.RouteType).Resources["9080"]
	var rc route.RouteConfiguration
	if a == nil || a.UnmarshalTo(&rc) != nil {
		return out
	}
	for _, vh := range rc.GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			if cl := r.GetRoute().GetCluster(); cl != "" {
				out[cl] = 100
			}
			for _, wc := range r.GetRoute().GetWeightedClusters().GetClusters() {
				out[wc.GetName()] = wc.GetWeight().GetValue()
			}
		}
	}
	return out
}

func TestRouteChangeReachesProxy(t *testing.T) {
	cp := startControlPlane(t)
	proxy := cp.connect(t)
	const v1, v3 = "outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v3|reviews.default.svc.cluster.local"
	waitClient(t, proxy, "80/20 routes", func(c *adstest.Client) bool {
		w := weights(c)
		return w[v1] == 80 && w[v3] == 20
	})

	start := time.Now()
	replace(t, filepath.Join(cp.dir, "reviews-vs.yaml"), reviewsVS(0, 100))
	waitClient(t, proxy, "0/100 routes", func(c *adstest.Client) bool {
		w := weights(c)
		return w[v1] == 0 && w[v3] == 100
	})
	took := time.Since(start)
	t.Logf("route change reached the proxy in %s", took)
	if took > time.Second {
		t.Errorf("route change took %s to reach the proxy; the control plane promises under 1 s", took)
	}

	var syncz []xdsserver.ProxyStatus
	waitFor(t, "syncz shows the proxy synced", func() bool {
		syncz = nil
		_ = json.Unmarshal([]byte(cp.get(t, "/debug/syncz")), &syncz)
		return len(syncz) == 1 && syncz[0].Workload == "default/productpage-v1" && allSynced(syncz[0])
	})
	if table := cp.get(t, "/debug/connections"); !strings.Contains(table, "productpage-v1.default") || !strings.Contains(table, "SYNCED") {
		t.Errorf("/debug/connections:\n%s", table)
	}
}

func TestConfigProblemsAreReportedAndLastGoodConfigKeepsServing(t *testing.T) {
	cp := startControlPlane(t)
	proxy := cp.connect(t)
	const v1 = "outbound|9080|v1|reviews.default.svc.cluster.local"
	waitClient(t, proxy, "80/20 routes", func(c *adstest.Client) bool { return weights(c)[v1] == 80 })

	replace(t, filepath.Join(cp.dir, "reviews-vs.yaml"), reviewsVS(150, 20))
	waitFor(t, "configz reports the bad weight", func() bool {
		return strings.Contains(cp.get(t, "/debug/configz"), "VirtualService default/reviews")
	})
	time.Sleep(300 * time.Millisecond) // a push, if one were (wrongly) made, would have landed
	if w := weights(proxy)[v1]; w != 80 {
		t.Errorf("after an invalid edit the proxy's v1 weight is %d; the last good config (80) must keep serving", w)
	}
}

func allSynced(p xdsserver.ProxyStatus) bool {
	if len(p.Types) < 4 {
		return false
	}
	for _, ts := range p.Types {
		if ts.State != xdsserver.StateSynced {
			return false
		}
	}
	return true
}

func waitClient(t *testing.T, c *adstest.Client, what string, cond func(*adstest.Client) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Wait(ctx, cond); err != nil {
		t.Fatalf("%s: %v (routes now %v)", what, err, weights(c))
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace swaps a file atomically, as editors do.
func replace(t *testing.T, path, body string) {
	t.Helper()
	write(t, path+".tmp", body)
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func TestFieldsNotActedOnAreReportedAsWarnings(t *testing.T) {
	cp := startControlPlane(t)
	replace(t, filepath.Join(cp.dir, "mtls-dr.yaml"), `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: details, namespace: default}
spec:
  host: details
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`)
	waitFor(t, "configz warns that ISTIO_MUTUAL is not applied", func() bool {
		body := cp.get(t, "/debug/configz")
		return strings.Contains(body, "DestinationRule default/details") && strings.Contains(body, "spec.trafficPolicy.tls")
	})
}
