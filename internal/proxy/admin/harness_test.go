package admin

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testNode = xdsclient.NodeConfig{IP: netip.MustParseAddr("127.0.1.3"), Workload: "reviews-v1", Namespace: "default"}

type discardSink struct{}

func (discardSink) Apply(*snapshot.Snapshot) {}

// fixture is a real xDS client fed by a loopback control plane, with the
// admin server in front of it.
type fixture struct {
	cp     *xdstest.ControlPlane
	client *xdsclient.Client
	admin  *Server
	http   *httptest.Server
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	f := &fixture{cp: xdstest.Start(t, "127.0.0.1:0")}
	var err error
	f.client, err = xdsclient.New(xdsclient.Config{
		ControlPlane: f.cp.Addr, Node: testNode, Sink: discardSink{},
		InitialFetchTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.client.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	opts.XDS = f.client
	if f.admin, err = New(opts); err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.admin)
	t.Cleanup(f.http.Close)
	return f
}

// sync sets res as version and waits until the client published it.
func (f *fixture) sync(t *testing.T, version string, res xdstest.Resources) {
	t.Helper()
	f.cp.Set(testNode.ID(), version, res)
	deadline := time.Now().Add(10 * time.Second)
	for f.client.Status().Versions[xdsclient.ListenerType] != version || !f.client.Status().Synced {
		if time.Now().After(deadline) {
			t.Fatalf("version %s never applied: %+v", version, f.client.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// do sends a request and returns the status code and body.
func (f *fixture) do(t *testing.T, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func expect(t *testing.T, f *fixture, method, path string, code int, bodyHas string) string {
	t.Helper()
	got, body := f.do(t, method, path)
	if got != code || !strings.Contains(body, bodyHas) {
		t.Errorf("%s %s = %d %q, want %d containing %q", method, path, got, body, code, bodyHas)
	}
	return body
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
