package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/router"
)

// hcmProxy starts a proxy whose one listener sends everything to the
// backend at addr (protocol proto), its HTTP connection manager edited.
func hcmProxy(t *testing.T, addr string, proto cluster.Protocol, edit func(*listener.HTTPConnectionManager)) string {
	t.Helper()
	l := httpListener("out", 0, routes(to("be")))
	edit(l.Chain.HTTP)
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{l}, []*cluster.Config{staticCluster("be", proto, addr)}))
	return p.addr("out")
}

// rawExchange writes a request on a fresh connection and reads the
// response (nil and the error if none came within 5 s).
func rawExchange(t *testing.T, addr, request string) (*http.Response, string, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, request)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// pause waits d or until the request is cancelled (so a backend closed by
// the test does not leave its handler behind).
func pause(r *http.Request, d time.Duration) {
	select {
	case <-r.Context().Done():
	case <-time.After(d):
	}
}

func TestCodecTypeHTTP2RefusesHTTP1(t *testing.T) {
	be := startH2C(t, text("over h2"))
	addr := hcmProxy(t, be.addr, cluster.HTTP2, func(h *listener.HTTPConnectionManager) { h.Codec = listener.CodecHTTP2 })
	resp, body, err := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	const reason = "this listener accepts HTTP/2 only (codec_type HTTP2)"
	if resp.StatusCode != 505 || strings.TrimSpace(body) != reason || resp.Header.Get(router.ErrorHeader) != reason || !resp.Close {
		t.Errorf("HTTP/1.1 request: %d %q (%s) close=%v, want 505 %q and close", resp.StatusCode, body, resp.Header.Get(router.ErrorHeader), resp.Close, reason)
	}
	if code, body, _ := get(t, h2cClient(t), "http://"+addr+"/"); code != 200 || body != "over h2" {
		t.Errorf("HTTP/2 request: %d %q", code, body)
	}
}

func TestCodecTypeHTTP1DoesNotSpeakHTTP2(t *testing.T) {
	be := startBackend(t, text("over h1"))
	addr := hcmProxy(t, be.addr, cluster.HTTP1, func(h *listener.HTTPConnectionManager) { h.Codec = listener.CodecHTTP1 })
	resp, _, err := rawExchange(t, addr, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 505 {
		t.Errorf("HTTP/2 preface: %s, want 505 HTTP Version Not Supported", resp.Status)
	}
	if code, body, _ := get(t, newClient(t), "http://"+addr+"/"); code != 200 || body != "over h1" {
		t.Errorf("HTTP/1.1 request: %d %q", code, body)
	}
}

// request_timeout: a client that stalls in the middle of its body gets 408
// "request timeout"; a request received in time is not limited by it, however
// long the upstream takes.
func TestRequestTimeout(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(400 * time.Millisecond)
		io.WriteString(w, "slow but fine")
	}))
	addr := hcmProxy(t, be.addr, cluster.HTTP1, func(h *listener.HTTPConnectionManager) { h.RequestTimeout = 150 * time.Millisecond })
	start := time.Now()
	resp, body, err := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\nonly this much")
	if err != nil {
		t.Fatalf("stalled body: %v (after %v)", err, time.Since(start))
	}
	if resp.StatusCode != 408 || strings.TrimSpace(body) != "request timeout" || !resp.Close {
		t.Errorf("stalled body: %d %q close=%v, want 408 request timeout and close", resp.StatusCode, body, resp.Close)
	}
	if code, body, _ := get(t, newClient(t), "http://"+addr+"/"); code != 200 || body != "slow but fine" {
		t.Errorf("complete request, slow upstream: %d %q, want 200", code, body)
	}
}

// stream_idle_timeout: an upstream silent for longer gets 408 "stream
// timeout" (flag SI) sent to the client; one that keeps sending is not cut
// however long it takes; one that stalls mid-body has the client connection
// cut, never a truncated body passed off as whole.
func TestStreamIdleTimeoutHTTP1(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/silent":
			pause(r, time.Second)
		case "/trickle":
			for i := 0; i < 8; i++ {
				fmt.Fprintf(w, "%d", i)
				w.(http.Flusher).Flush()
				time.Sleep(50 * time.Millisecond)
			}
		case "/stall":
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			pause(r, time.Second)
		}
	}))
	addr := hcmProxy(t, be.addr, cluster.HTTP1, func(h *listener.HTTPConnectionManager) { h.StreamIdleTimeout = 200 * time.Millisecond })
	c := newClient(t)
	code, body, hdr := get(t, c, "http://"+addr+"/silent")
	if code != 408 || strings.TrimSpace(body) != "stream timeout" || hdr.Get(router.ErrorHeader) != "stream timeout" {
		t.Errorf("silent upstream: %d %q, want 408 stream timeout", code, body)
	}
	if code, body, _ := get(t, c, "http://"+addr+"/trickle"); code != 200 || body != "01234567" {
		t.Errorf("trickling upstream (400 ms in all, never idle 200 ms): %d %q, want 200 01234567", code, body)
	}
	resp, err := c.Get("http://" + addr + "/stall")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("stalled body read whole (%q), want the connection cut", b)
	}
}

// The same timeouts on HTTP/2 streams, and on HTTP/1.1 clients of HTTP/2
// clusters (translated).
func TestStreamIdleTimeoutHTTP2AndTranslated(t *testing.T) {
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { pause(r, time.Second) })
	idle := func(h *listener.HTTPConnectionManager) { h.StreamIdleTimeout = 200 * time.Millisecond }
	h1addr := hcmProxy(t, startBackend(t, silent).addr, cluster.HTTP1, idle)
	if code, body, _ := get(t, h2cClient(t), "http://"+h1addr+"/"); code != 408 || strings.TrimSpace(body) != "stream timeout" {
		t.Errorf("HTTP/2 client, silent HTTP/1.1 upstream: %d %q, want 408 stream timeout", code, body)
	}
	h2addr := hcmProxy(t, startH2C(t, silent).addr, cluster.HTTP2, idle)
	if code, body, _ := get(t, newClient(t), "http://"+h2addr+"/"); code != 408 || strings.TrimSpace(body) != "stream timeout" {
		t.Errorf("HTTP/1.1 client, silent HTTP/2 upstream: %d %q, want 408 stream timeout", code, body)
	}
}

func TestRequestTimeoutHTTP2(t *testing.T) {
	be := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	addr := hcmProxy(t, be.addr, cluster.HTTP1, func(h *listener.HTTPConnectionManager) { h.RequestTimeout = 150 * time.Millisecond })
	pr, pw := io.Pipe()
	defer pw.Close()
	go io.WriteString(pw, "a start, then nothing")
	req, _ := http.NewRequest("POST", "http://"+addr+"/", pr)
	resp, err := h2cClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 408 || strings.TrimSpace(string(body)) != "request timeout" {
		t.Errorf("stalled HTTP/2 request body: %d %q, want 408 request timeout", resp.StatusCode, body)
	}
}
