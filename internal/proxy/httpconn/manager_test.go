package httpconn

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve runs a Manager with no routes (every request gets 404) behind a
// real listener.
func serve(t *testing.T) (*Manager, string) {
	var st atomic.Pointer[router.Listener]
	st.Store(&router.Listener{Name: "l", HCM: &listener.HTTPConnectionManager{}, Stats: &stats.HTTP{}})
	m := New(&st, http1.NewPool(http1.Config{}), slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	runDone, acceptDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(runDone)
		m.Run()
	}()
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			m.Serve(context.Background(), c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-acceptDone
		m.Close()
		<-runDone
	})
	return m, ln.Addr().String()
}

func TestCloseIdle(t *testing.T) {
	m, addr := serve(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 404 || resp.Header.Get(router.ErrorHeader) != "route not found" {
		t.Fatalf("got %s (%s), want 404 route not found", resp.Status, resp.Header.Get(router.ErrorHeader))
	}
	m.CloseIdle(time.Now().Add(-time.Hour)) // idle for less than an hour: kept
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := br.ReadByte(); !isTimeout(err) {
		t.Fatalf("connection idle for less than the timeout: read %v, want it still open", err)
	}
	m.CloseIdle(time.Now().Add(time.Second)) // as if an hour had passed
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle connection after the timeout: read %v, want EOF (closed)", err)
	}
}
