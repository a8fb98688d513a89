package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient"
	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

// readyState fetches /ready.
func readyState(t *testing.T, admin string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/ready")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// TestReadyWhileListenerCannotBind: a listener of the current config whose
// address is taken makes /ready answer 503 with the listener, the address
// and the reason, although xDS is synced; once the address is free the
// listener binds and /ready answers 200 again.
func TestReadyWhileListenerCannotBind(t *testing.T) {
	squatter, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	port := squatter.Addr().(*net.TCPAddr).Port
	cp := xdstest.Start(t, "127.0.0.1:0")
	node := xdsclient.NodeConfig{IP: netip.MustParseAddr("127.0.0.1"), Workload: "w", Namespace: "default"}
	in := xdstest.InboundListener(t, "127.0.0.1", uint32(port))
	cp.Set(node.ID(), "1", xdstest.Resources{
		Listeners: []types.Resource{in},
		Clusters:  []types.Resource{xdstest.StaticCluster("inbound|"+strconv.Itoa(port)+"||", "127.0.0.1", 1)},
	})
	admin := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{ControlPlane: cp.Addr, IP: node.IP, Namespace: "default", Workload: "w", AdminAddress: admin, DrainDuration: time.Second}, testLogger(t))
	}()
	defer func() {
		cancel()
		<-done
	}()
	want := "LISTENER BIND FAILED: listener " + in.Name + " cannot bind 127.0.0.1:" + strconv.Itoa(port) + ": address already in use (retrying every second)"
	waitReady(t, admin, 503, want)
	squatter.Close()
	waitReady(t, admin, 200, "LIVE")
}

// waitReady polls /ready until it answers code and body.
func waitReady(t *testing.T, admin string, code int, body string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		gotCode, gotBody := readyState(t, admin)
		if gotCode == code && gotBody == body {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/ready = %d %q, want %d %q", gotCode, gotBody, code, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
