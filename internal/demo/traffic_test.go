package demo

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loom-mesh/loom/internal/sampleapp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func serveApp(t *testing.T, cfg sampleapp.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kind, cfg.Listen = sampleapp.KindBookinfo, ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sampleapp.Serve(ctx, cfg, ln, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() { cancel(); <-done })
	return cfg.Listen
}

func TestTrafficCountsJasonAndReviewVersions(t *testing.T) {
	ratings := serveApp(t, sampleapp.Config{Name: sampleapp.Ratings, Version: "v1"})
	details := serveApp(t, sampleapp.Config{Name: sampleapp.Details, Version: "v1"})
	reviews := serveApp(t, sampleapp.Config{Name: sampleapp.Reviews, Version: "v3", Upstreams: map[string]string{sampleapp.Ratings: ratings}})
	pp := serveApp(t, sampleapp.Config{Name: sampleapp.ProductPage, Version: "v1",
		Upstreams: map[string]string{sampleapp.Details: details, sampleapp.Reviews: reviews}})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	g := &Traffic{URL: "http://" + pp + "/productpage", Rate: 200, JasonPercent: 25, Timeout: 5 * time.Second, Client: &http.Client{Transport: tr}}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	g.Run(ctx)
	s := g.Stats()
	if s.Sent < 40 || s.Failed != 0 || s.Reviews["v3"] != s.Sent {
		t.Fatalf("stats %+v: want ≥40 sent, none failed, all served by reviews v3", s)
	}
	if s.Jason != s.Sent/4 && s.Jason != s.Sent/4+1 {
		t.Errorf("%d of %d requests as jason, want 25%%", s.Jason, s.Sent)
	}
}

func TestTrafficReportsFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	g := &Traffic{URL: "http://" + addr + "/productpage", Rate: 100, Timeout: time.Second, Client: &http.Client{Transport: tr}}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	g.Run(ctx)
	if s := g.Stats(); s.Sent == 0 || s.Failed != s.Sent || s.LastError == "" {
		t.Errorf("stats %+v: want every request failed with a reason", s)
	}
}
