package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testProxy is a running data plane fed snapshots directly.
type testProxy struct {
	t    *testing.T
	dp   *dataPlane
	stop context.CancelFunc // starts the drain
	done chan struct{}      // closed when the data plane stopped
}

func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("LOOM_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// startProxy runs a data plane until the test ends.
func startProxy(t *testing.T, drain time.Duration) *testProxy {
	t.Helper()
	p := &testProxy{t: t, dp: newDataPlane(testLogger(t), drain)}
	ctx, cancel := context.WithCancel(context.Background())
	p.stop, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		p.dp.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// apply installs a snapshot built from listeners and clusters (routes go
// inline or by name in rds).
func (p *testProxy) apply(s *snapshot.Snapshot) { p.dp.Apply(s) }

// addr is the bound address of a listener.
func (p *testProxy) addr(name string) string {
	p.t.Helper()
	a := p.dp.server.Addr(name)
	if a == "" {
		p.t.Fatalf("listener %s is not bound", name)
	}
	return a
}

func snap(ls []*listener.Config, cs []*cluster.Config, rcs ...*route.Config) *snapshot.Snapshot {
	s := &snapshot.Snapshot{
		Listeners: map[string]*listener.Config{},
		Routes:    map[string]*route.Config{},
		Clusters:  map[string]*cluster.Config{},
		Endpoints: map[string]*cluster.Endpoints{},
	}
	for _, l := range ls {
		s.Listeners[l.Name] = l
	}
	for _, c := range cs {
		s.Clusters[c.Name] = c
	}
	for _, rc := range rcs {
		s.Routes[rc.Name] = rc
	}
	return s
}

var loopback = netip.MustParseAddr("127.0.0.1")

// httpListener is an outbound HTTP listener on 127.0.0.1:<port> (0: any)
// with inline routes.
func httpListener(name string, port uint16, rc *route.Config) *listener.Config {
	return &listener.Config{
		Name:    name,
		Address: netip.AddrPortFrom(loopback, port),
		Chain: listener.FilterChain{HTTP: &listener.HTTPConnectionManager{
			StatPrefix: name, InlineRoutes: rc, FaultFilter: true,
		}},
	}
}

func tcpListener(name string, clusterName string) *listener.Config {
	return &listener.Config{
		Name:    name,
		Address: netip.AddrPortFrom(loopback, 0),
		Chain:   listener.FilterChain{TCP: &listener.TCPProxy{StatPrefix: name, Cluster: clusterName}},
	}
}

// staticCluster is a STATIC cluster of the given endpoints.
func staticCluster(name string, proto cluster.Protocol, addrs ...string) *cluster.Config {
	var eps []cluster.Endpoint
	for _, a := range addrs {
		eps = append(eps, cluster.Endpoint{Addr: netip.MustParseAddrPort(a), Weight: 1, Healthy: true})
	}
	return &cluster.Config{
		Name:           name,
		Discovery:      cluster.Static,
		LB:             cluster.RoundRobin,
		ConnectTimeout: time.Second,
		Protocol:       proto,
		Endpoints:      &cluster.Endpoints{ClusterName: name, Localities: []cluster.Locality{{Endpoints: eps}}},
	}
}

// routes is a route configuration with one catch-all virtual host.
func routes(rs ...*route.Route) *route.Config {
	return &route.Config{Name: "test", VirtualHosts: []*route.VirtualHost{{Name: "all", Domains: []string{"*"}, Routes: rs}}}
}

// to is a prefix-"/" route forwarding to one cluster.
func to(clusterName string) *route.Route {
	return &route.Route{
		Match:   route.Match{Path: "/", CaseSensitive: true},
		Forward: &route.Forward{Clusters: []route.WeightedCluster{{Name: clusterName, Weight: 100}}, TotalWeight: 100},
	}
}

// backend is a real HTTP/1.1 server on loopback.
type backend struct {
	addr  string
	srv   *http.Server
	mu    sync.Mutex
	conns int // connections accepted
}

func startBackend(t *testing.T, h http.Handler, configure ...func(*http.Server)) *backend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{addr: ln.Addr().String()}
	b.srv = &http.Server{Handler: h, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			b.mu.Lock()
			b.conns++
			b.mu.Unlock()
		}
	}}
	for _, f := range configure {
		f(b.srv)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("backend: %v", err)
		}
	}()
	t.Cleanup(func() {
		b.srv.Close()
		<-done
	})
	return b
}

func (b *backend) connections() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.conns
}

// text answers with a fixed body.
func text(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }
}

// newClient is an HTTP/1.1 keep-alive client that closes its connections
// when the test ends.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// get sends a GET and returns the status and body.
func get(t *testing.T, c *http.Client, url string, headers ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
