package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// oneCluster starts a proxy with one outbound listener sending everything
// to one HTTP/1.1 cluster of the given endpoints, and returns the URL base.
func oneCluster(t *testing.T, addrs ...string) (*testProxy, string) {
	t.Helper()
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, addrs...)}))
	return p, "http://" + p.addr("out")
}

func TestHTTP1KeepAlive(t *testing.T) {
	be := startBackend(t, text("hello"))
	_, base := oneCluster(t, be.addr)
	c := newClient(t)
	for i := 0; i < 50; i++ {
		if code, body, _ := get(t, c, base+"/x"); code != 200 || body != "hello" {
			t.Fatalf("request %d: %d %q, want 200 hello", i, code, body)
		}
	}
	if n := be.connections(); n != 1 {
		t.Errorf("upstream saw %d connections for 50 sequential requests, want 1 (pooled)", n)
	}
}

func TestHTTP1ChunkedBothWaysWithTrailers(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("upstream read: %v", err)
		}
		w.Header().Set("Trailer", "X-Checksum")
		w.Header().Set("X-Request-Chunked", fmt.Sprint(len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"))
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "part%d:%s;", i, body)
			w.(http.Flusher).Flush()
		}
		w.Header().Set("X-Checksum", "abc")
	}))
	_, base := oneCluster(t, be.addr)
	pr, pw := io.Pipe()
	go func() {
		for _, s := range []string{"a", "b", "c"} {
			pw.Write([]byte(s))
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", base+"/up", pr) // unknown length: sent chunked
	resp, err := newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if want := "part0:abc;part1:abc;part2:abc;"; string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
	if resp.TransferEncoding == nil || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("response Transfer-Encoding = %v, want chunked", resp.TransferEncoding)
	}
	if got := resp.Header.Get("X-Request-Chunked"); got != "true" {
		t.Errorf("upstream saw a chunked request: %s, want true", got)
	}
	if got := resp.Trailer.Get("X-Checksum"); got != "abc" {
		t.Errorf("trailer X-Checksum = %q, want abc", got)
	}
}

func TestHTTP1UpstreamConnectionClose(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	}))
	_, base := oneCluster(t, be.addr)
	c := newClient(t)
	for i := 0; i < 30; i++ {
		if code, body, _ := get(t, c, base+"/"); code != 200 || body != "bye" {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
	if n := be.connections(); n != 30 {
		t.Errorf("upstream saw %d connections, want 30 (one per Connection: close)", n)
	}
}

// burst sends n concurrent GETs and returns the failures.
func burst(t *testing.T, c *http.Client, url string, n int) []string {
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(url)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
				err = fmt.Errorf("status %d (%s)", resp.StatusCode, resp.Header.Get("x-loom-error"))
			}
			mu.Lock()
			failures = append(failures, err.Error())
			mu.Unlock()
		}()
	}
	wg.Wait()
	return failures
}

// An upstream closing idle keep-alive connections (here after 150 ms, as
// Node or Go servers do after a few seconds) never causes a failed request
// under bursts separated by idle gaps around that timeout.
func TestHTTP1UpstreamClosesIdleConnections(t *testing.T) {
	be := startBackend(t, text("ok"), func(s *http.Server) { s.IdleTimeout = 150 * time.Millisecond })
	p, base := oneCluster(t, be.addr)
	c := newClient(t)
	gaps := []time.Duration{160, 140, 150, 200, 145, 155, 300, 150, 148, 152}
	for round, gap := range gaps {
		if f := burst(t, c, base+"/", 32); len(f) > 0 {
			t.Fatalf("round %d: %d failed requests: %v", round, len(f), f)
		}
		time.Sleep(gap * time.Millisecond)
	}
	cs := p.dp.stats.Cluster("be")
	t.Logf("upstream connections %d, closed by upstream while idle %d, replayed on fresh connection %d",
		be.connections(), cs.CxRemoteClose.Value(), cs.RqReusedRetry.Value())
	if be.connections() <= 32 {
		t.Errorf("upstream saw %d connections: the idle closes were not exercised", be.connections())
	}
}

// rawUpstream serves one request per connection with a keep-alive response,
// then closes the connection without saying so: the next request on it
// fails before any response byte, every time.
func rawUpstream(t *testing.T) (string, *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				served.Add(1)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String(), &served
}

func TestHTTP1StaleConnectionReplayedOnFreshOne(t *testing.T) {
	addr, served := rawUpstream(t)
	p, base := oneCluster(t, addr)
	c := newClient(t)
	for i := 0; i < 20; i++ {
		req, _ := http.NewRequest("POST", base+"/", strings.NewReader("payload"))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "ok" {
			t.Fatalf("request %d: %d %q (%s)", i, resp.StatusCode, body, resp.Header.Get("x-loom-error"))
		}
	}
	if served.Load() != 20 {
		t.Errorf("upstream served %d requests, want 20", served.Load())
	}
	if n := p.dp.stats.Cluster("be").RqReusedRetry.Value(); n == 0 {
		t.Error("no request was replayed on a fresh connection; the stale path was not exercised")
	}
}

func TestHTTP1MaxRequestsPerConnection(t *testing.T) {
	be := startBackend(t, text("ok"))
	cl := staticCluster("be", cluster.HTTP1, be.addr)
	cl.MaxRequestsPerConnection = 2
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{cl}))
	c := newClient(t)
	for i := 0; i < 6; i++ {
		if code, _, _ := get(t, c, "http://"+p.addr("out")+"/"); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if n := be.connections(); n != 3 {
		t.Errorf("upstream saw %d connections for 6 requests at 2 per connection, want 3", n)
	}
}

func TestHTTP1Upgrade(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			http.Error(w, "want an upgrade", 400)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		brw.Flush()
		io.Copy(conn, brw) // echo until the client closes its side
	}))
	_, base := oneCluster(t, be.addr)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 {
		t.Fatalf("status %d, want 101", resp.StatusCode)
	}
	for _, msg := range []string{"ping", "pong"} {
		io.WriteString(c, msg)
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != msg {
			t.Fatalf("echo of %q: %q %v", msg, buf, err)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after half-close: %q %v, want EOF", rest, err)
	}
}

func TestHTTP1MalformedBody(t *testing.T) {
	be := startBackend(t, text("ok"))
	_, base := oneCluster(t, be.addr)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || len(body) == 0 {
		t.Errorf("malformed chunked body: %d %q, want 400 with a reason", resp.StatusCode, body)
	}
	if n := be.connections(); n != 0 {
		t.Errorf("upstream saw %d connections for a request with a malformed body, want 0", n)
	}
}
