package xdsserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness runs a Server on a loopback port for one test.
type harness struct {
	t    *testing.T
	srv  *Server
	addr string
}

func startServer(t *testing.T, gen Generator) *harness {
	t.Helper()
	return startServerWith(t, gen, Config{})
}

// startServerWith is startServer with cfg (its Logger is the test's).
func startServerWith(t *testing.T, gen Generator, cfg Config) *harness {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(cfg)
	if gen != nil {
		srv.Update(context.Background(), gen)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &harness{t: t, srv: srv, addr: lis.Addr().String()}
}

// proxy is one connected test client.
type proxy struct {
	*adstest.Client
	node string
	done chan struct{} // closed when Run has returned
	stop func() error  // ends the stream; returns Run's error
}

func (p *proxy) name() string { return p.node }

func (h *harness) connect(opts adstest.Options) *proxy {
	h.t.Helper()
	cc, err := grpc.NewClient(h.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		h.t.Fatal(err)
	}
	client := adstest.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	p := &proxy{Client: client, node: opts.Node.GetId(), done: make(chan struct{})}
	var runErr error
	go func() {
		defer close(p.done)
		runErr = client.Run(ctx, cc)
	}()
	p.stop = func() error {
		cancel()
		<-p.done
		_ = cc.Close()
		return runErr
	}
	h.t.Cleanup(func() { _ = p.stop() })
	return p
}

// wait fails the test unless cond holds within 5 s.
func (p *proxy) wait(t *testing.T, what string, cond func(c *adstest.Client) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Wait(ctx, cond); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// synced: all four types received, and the route carries tag.
func synced(tag string) func(c *adstest.Client) bool {
	return func(c *adstest.Client) bool {
		for _, typ := range []string{adstest.ClusterType, adstest.EndpointType, adstest.ListenerType} {
			if c.State(typ).Responses == 0 {
				return false
			}
		}
		return routeTag(c) == tag
	}
}

// routeTag reads the tag testMesh writes into route configuration "9080".
func routeTag(c *adstest.Client) string {
	a := c.State(adstest.RouteType).Resources["9080"]
	if a == nil {
		return "<none>"
	}
	var rc route.RouteConfiguration
	if err := a.UnmarshalTo(&rc); err != nil || len(rc.GetVirtualHosts()) == 0 {
		return "<bad>"
	}
	return rc.GetVirtualHosts()[0].GetRoutes()[0].GetName()
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b))
	return len(b), nil
}

var errRejected = errors.New("rejected by test")

func protocolName(delta bool) string {
	if delta {
		return "delta"
	}
	return "sotw"
}

// waitStatus fails the test unless cond holds for the server's status within 5 s.
func waitStatus(t *testing.T, srv *Server, cond func([]ProxyStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond(srv.Status()) {
		if time.Now().After(deadline) {
			t.Fatalf("status never matched; last: %+v", srv.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func allSynced(p ProxyStatus) bool {
	if len(p.Types) < 4 {
		return false
	}
	for _, ts := range p.Types {
		if ts.State != StateSynced {
			return false
		}
	}
	return true
}

func typeStatus(p ProxyStatus, typ string) TypeStatus {
	for _, ts := range p.Types {
		if ts.Type == typ {
			return ts
		}
	}
	return TypeStatus{}
}

// responses counts the responses a client got, per type.
func responses(p *proxy) map[string]int {
	return map[string]int{
		"CDS": p.State(adstest.ClusterType).Responses,
		"EDS": p.State(adstest.EndpointType).Responses,
		"LDS": p.State(adstest.ListenerType).Responses,
		"RDS": p.State(adstest.RouteType).Responses,
	}
}
