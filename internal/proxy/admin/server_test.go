package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

func TestReady(t *testing.T) {
	var failed, ok atomic.Int32
	f := newFixture(t, Options{OnHealthcheckFail: func() { failed.Add(1) }, OnHealthcheckOK: func() { ok.Add(1) }})
	expect(t, f, "GET", "/ready", http.StatusServiceUnavailable, "INITIALIZING: waiting for the first complete configuration from "+f.cp.Addr)

	f.sync(t, "1", xdstest.BaseMesh(t, "127.0.2.1"))
	expect(t, f, "GET", "/ready", http.StatusOK, "LIVE")

	expect(t, f, "GET", "/healthcheck/fail", http.StatusMethodNotAllowed, "use POST")
	expect(t, f, "POST", "/healthcheck/fail", http.StatusOK, "OK")
	expect(t, f, "GET", "/ready", http.StatusServiceUnavailable, "FAILED")
	expect(t, f, "POST", "/healthcheck/ok", http.StatusOK, "OK")
	expect(t, f, "GET", "/ready", http.StatusOK, "LIVE")
	if failed.Load() != 1 || ok.Load() != 1 {
		t.Errorf("hooks called fail=%d ok=%d times, want 1 each", failed.Load(), ok.Load())
	}

	f.admin.SetDraining()
	expect(t, f, "GET", "/ready", http.StatusServiceUnavailable, "DRAINING")
}

func TestReadyReportsWarming(t *testing.T) {
	f := newFixture(t, Options{})
	m := xdstest.BaseMesh(t, "127.0.2.1")
	m.Routes = nil // the listener waits for route configuration "9080"
	f.cp.Set(testNode.ID(), "1", m)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := f.do(t, "GET", "/ready")
		if code != http.StatusServiceUnavailable {
			t.Fatalf("/ready = %d %q while a listener warms", code, body)
		}
		if strings.Contains(body, "(1 resources warming, e.g. listener 127.0.0.1_9080)") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/ready never reported the warming listener: %q", body)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDrainAndQuit(t *testing.T) {
	var drains []DrainOptions
	quit := make(chan struct{}, 1)
	f := newFixture(t, Options{
		OnDrainListeners: func(o DrainOptions) { drains = append(drains, o) },
		OnQuit:           func() { quit <- struct{}{} },
	})
	f.sync(t, "1", xdstest.BaseMesh(t, "127.0.2.1"))
	expect(t, f, "POST", "/drain_listeners?inboundonly&graceful", http.StatusOK, "OK")
	expect(t, f, "GET", "/ready", http.StatusOK, "LIVE") // inbound only: still ready
	expect(t, f, "POST", "/drain_listeners?graceful", http.StatusOK, "OK")
	expect(t, f, "GET", "/ready", http.StatusServiceUnavailable, "DRAINING")
	want := []DrainOptions{{Graceful: true, InboundOnly: true}, {Graceful: true}}
	if fmt.Sprint(drains) != fmt.Sprint(want) {
		t.Errorf("drains = %v, want %v", drains, want)
	}
	expect(t, f, "GET", "/quitquitquit", http.StatusMethodNotAllowed, "use POST")
	expect(t, f, "POST", "/quitquitquit", http.StatusOK, "OK")
	select {
	case <-quit:
	default:
		t.Error("OnQuit not called")
	}
}

func TestUnwiredHooks(t *testing.T) {
	f := newFixture(t, Options{})
	expect(t, f, "POST", "/quitquitquit", http.StatusNotImplemented, "not wired")
	expect(t, f, "POST", "/drain_listeners", http.StatusNotImplemented, "not wired")
	expect(t, f, "GET", "/stats", http.StatusServiceUnavailable, "not available")
	expect(t, f, "GET", "/nope", http.StatusNotFound, "no admin endpoint /nope")
	expect(t, f, "GET", "/", http.StatusOK, "/config_dump")
}

// textStats stands in for the data path's statistics.
type textStats struct{ fail bool }

func (s textStats) WriteText(w io.Writer) error {
	_, err := io.WriteString(w, "cluster.x.upstream_rq_total: 7\n")
	return err
}

func (s textStats) WritePrometheus(w io.Writer) error {
	if s.fail {
		return errors.New("boom")
	}
	_, err := io.WriteString(w, "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"x\"} 7\n")
	return err
}

func TestStats(t *testing.T) {
	f := newFixture(t, Options{Stats: textStats{}})
	expect(t, f, "GET", "/stats", http.StatusOK, "cluster.x.upstream_rq_total: 7")
	expect(t, f, "GET", "/stats?format=prometheus", http.StatusOK, `envoy_cluster_upstream_rq_total{envoy_cluster_name="x"} 7`)
	expect(t, f, "GET", "/stats/prometheus", http.StatusOK, `envoy_cluster_upstream_rq_total{envoy_cluster_name="x"} 7`)
}

func TestServeStopsWithContext(t *testing.T) {
	f := newFixture(t, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.admin.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/ready = %d before any config", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/ready"); err == nil {
		t.Error("still serving after the context ended")
	}
	http.DefaultClient.CloseIdleConnections()
}
