package proxy

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// h2cProtocols is prior-knowledge HTTP/2 over cleartext.
func h2cProtocols() *http.Protocols {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &p
}

// startH2C starts an h2c-only backend.
func startH2C(t *testing.T, h http.Handler) *backend {
	return startBackend(t, h, func(s *http.Server) { s.Protocols = h2cProtocols() })
}

// h2cClient is an HTTP/2 prior-knowledge client.
func h2cClient(t *testing.T) *http.Client {
	tr := &http.Transport{Protocols: h2cProtocols()}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// hashEcho answers with the request body's length and SHA-256, the request
// trailer X-Sum, and sends back size bytes with a trailer.
func hashEcho(size int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Trailer", "X-Resp-Sum")
		w.Header().Set("X-Req", fmt.Sprintf("%s %d %s sum=%s", r.Proto, n, hex.EncodeToString(h.Sum(nil))[:16], r.Trailer.Get("X-Sum")))
		rh := sha256.New()
		out := io.MultiWriter(w, rh)
		chunk := []byte(strings.Repeat("r", 64<<10))
		for left := size; left > 0; left -= len(chunk) {
			out.Write(chunk[:min(left, len(chunk))])
		}
		w.Header().Set("X-Resp-Sum", hex.EncodeToString(rh.Sum(nil))[:16])
	}
}

// patterned is n bytes of a repeating pattern, its SHA-256 prefix too.
func patterned(n int) (io.Reader, string) {
	b := []byte(strings.Repeat("0123456789abcdef", n/16+1)[:n])
	sum := sha256.Sum256(b)
	return strings.NewReader(string(b)), hex.EncodeToString(sum[:])[:16]
}

func sumOf(r io.Reader) (int64, string) {
	h := sha256.New()
	n, _ := io.Copy(h, r)
	return n, hex.EncodeToString(h.Sum(nil))[:16]
}

// An HTTP/1.1 client and an HTTP/2 cluster: bodies far over the old 4 MiB
// buffer stream both ways, and trailers cross in both directions.
func TestH1ClientToH2ClusterStreamsBodiesAndTrailers(t *testing.T) {
	const size = 9 << 20
	app := startH2C(t, hashEcho(size))
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("h2")))}, []*cluster.Config{staticCluster("h2", cluster.HTTP2, app.addr)}))
	body, sum := patterned(size)
	req, _ := http.NewRequest("POST", "http://"+p.addr("out")+"/up", io.NopCloser(body)) // unknown length: chunked
	req.Trailer = http.Header{"X-Sum": {sum}}
	resp, err := newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, got := sumOf(resp.Body)
	if want := fmt.Sprintf("HTTP/2.0 %d %s sum=%s", size, sum, sum); resp.StatusCode != 200 || resp.Header.Get("X-Req") != want {
		t.Errorf("upstream saw %d %q, want 200 %q", resp.StatusCode, resp.Header.Get("X-Req"), want)
	}
	if n != size || resp.Trailer.Get("X-Resp-Sum") != got {
		t.Errorf("response: %d bytes (sum %s), trailer %q; want %d bytes and the matching trailer", n, got, resp.Trailer.Get("X-Resp-Sum"), size)
	}
}

// The response of an HTTP/2 upstream reaches an HTTP/1.1 client as it is
// produced, and the request body goes up as the client sends it: the
// upstream answers each line before the client sends the next.
func TestH1ClientToH2ClusterIsFullDuplex(t *testing.T) {
	app := startH2C(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		br := bufio.NewReader(r.Body)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			io.WriteString(w, "echo "+line)
			w.(http.Flusher).Flush()
		}
	}))
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("h2")))}, []*cluster.Config{staticCluster("h2", cluster.HTTP2, app.addr)}))
	c, err := net.Dial("tcp", p.addr("out"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /chat HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		msg := fmt.Sprintf("line %d\n", i)
		fmt.Fprintf(c, "%x\r\n%s\r\n", len(msg), msg)
		got, err := lines.ReadString('\n')
		if got != "echo "+msg || err != nil {
			t.Fatalf("piece %d: %q, %v; want %q", i, got, err, "echo "+msg)
		}
	}
	io.WriteString(c, "0\r\n\r\n")
	if rest, err := io.ReadAll(lines); len(rest) != 0 || err != nil {
		t.Errorf("end of response: %q, %v", rest, err)
	}
}

// An HTTP/2 client and an HTTP/1.1 cluster: large bodies stream both ways
// on the codec's pooled connections, trailers cross in both directions.
func TestH2ClientToH1ClusterStreamsBodiesAndTrailers(t *testing.T) {
	const size = 9 << 20
	app := startBackend(t, hashEcho(size))
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("h1")))}, []*cluster.Config{staticCluster("h1", cluster.HTTP1, app.addr)}))
	body, sum := patterned(size)
	req, _ := http.NewRequest("POST", "http://"+p.addr("out")+"/up", io.NopCloser(body))
	req.Trailer = http.Header{"X-Sum": {sum}}
	resp, err := h2cClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, got := sumOf(resp.Body)
	if want := fmt.Sprintf("HTTP/1.1 %d %s sum=%s", size, sum, sum); resp.StatusCode != 200 || resp.Header.Get("X-Req") != want {
		t.Errorf("upstream saw %d %q, want 200 %q", resp.StatusCode, resp.Header.Get("X-Req"), want)
	}
	if resp.ProtoMajor != 2 || n != size || resp.Trailer.Get("X-Resp-Sum") != got {
		t.Errorf("response over %s: %d bytes (sum %s), trailer %q; want HTTP/2, %d bytes and the matching trailer", resp.Proto, n, got, resp.Trailer.Get("X-Resp-Sum"), size)
	}
}

// An HTTP/1.1 upstream that answers each line as it reads it works through
// an HTTP/2 client's stream: the request body is written while the response
// is read.
func TestH2ClientToH1ClusterIsFullDuplex(t *testing.T) {
	app := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NewResponseController(w).EnableFullDuplex()
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		br := bufio.NewReader(r.Body)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			io.WriteString(w, "echo "+line)
			w.(http.Flusher).Flush()
		}
	}))
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("h1")))}, []*cluster.Config{staticCluster("h1", cluster.HTTP1, app.addr)}))
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", "http://"+p.addr("out")+"/chat", pr)
	resp, err := h2cClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		msg := fmt.Sprintf("line %d\n", i)
		io.WriteString(pw, msg)
		got, err := lines.ReadString('\n')
		if got != "echo "+msg || err != nil {
			t.Fatalf("piece %d: %q, %v; want %q", i, got, err, "echo "+msg)
		}
	}
	pw.Close()
	if rest, err := io.ReadAll(lines); len(rest) != 0 || err != nil {
		t.Errorf("end of response: %q, %v", rest, err)
	}
}

// HTTP/1.1 and HTTP/2 clients of one HTTP/1.1 cluster share its pooled
// connections (and so its limits and idle-connection handling).
func TestH2ClientToH1ClusterSharesThePool(t *testing.T) {
	app := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 || r.ContentLength != 0 {
			http.Error(w, fmt.Sprintf("GET with a body: %v %d", r.TransferEncoding, r.ContentLength), 400)
			return
		}
		io.WriteString(w, "ok")
	}))
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("h1")))}, []*cluster.Config{staticCluster("h1", cluster.HTTP1, app.addr)}))
	base := "http://" + p.addr("out")
	h1, h2 := newClient(t), h2cClient(t)
	for i := 0; i < 5; i++ {
		// HTTP/2 first: its stream ends only after the connection went
		// back to the pool. An HTTP/1.1 response reaches its client just
		// before the connection does, so the next HTTP/2 request waits a
		// moment rather than race it.
		time.Sleep(20 * time.Millisecond)
		for _, c := range []*http.Client{h2, h1} {
			if code, body, _ := get(t, c, base+"/"); code != 200 || body != "ok" {
				t.Fatalf("got %d %q", code, body)
			}
		}
	}
	if n := app.connections(); n != 1 {
		st := p.dp.stats.Cluster("h1")
		t.Errorf("upstream saw %d connections for 10 sequential requests from both protocols, want 1 (replayed %d, remote close %d)", n, st.RqReusedRetry.Value(), st.CxRemoteClose.Value())
	}
}

// An HTTP/1.1 upstream that silently closes every connection after one
// response: an HTTP/2 client's requests, bodies included, are replayed on a
// fresh connection and none fails.
func TestH2ClientToH1StaleConnectionReplayed(t *testing.T) {
	addr, served := rawUpstream(t)
	p, base := oneCluster(t, addr)
	c := h2cClient(t)
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
