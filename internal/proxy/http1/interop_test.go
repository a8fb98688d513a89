package http1

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Interoperability with Go's net/http client and server on both sides of
// the test forwarder, over loopback TCP.

func startHTTPUpstream(t *testing.T, h http.Handler, idle time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, IdleTimeout: idle}
	done := make(chan struct{})
	go func() {
		srv.Serve(ln)
		close(done)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

func newHTTPClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// echoHandler answers with a digest of the request body, the body itself
// when asked, and trailers when the request had them.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	w.Header().Set("X-Digest", fmt.Sprintf("%x", sha256.Sum256(body)))
	w.Header().Set("X-Trailer-Seen", r.Trailer.Get("X-Sum"))
	w.Header().Set("Trailer", "X-Resp-Sum")
	if r.URL.Query().Get("chunked") == "" {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	}
	w.Write(body)
	w.Header().Set("X-Resp-Sum", "done")
}

func TestInteropNetHTTP(t *testing.T) {
	upstream := startHTTPUpstream(t, http.HandlerFunc(echoHandler), 0)
	p := &testProxy{upstream: upstream, bufferMax: 64 << 10}
	base := "http://" + startTestProxy(t, p)
	client := newHTTPClient(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	tests := []struct {
		name    string
		body    []byte
		chunked bool // send the request body chunked, with a trailer
		query   string
	}{
		{"empty", nil, false, ""},
		{"small", []byte("hello"), false, ""},
		{"1 MiB length", big, false, ""},
		{"1 MiB chunked both ways", big, true, "?chunked=1"},
		{"small chunked with trailer", []byte("abc"), true, "?chunked=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // unknown length: net/http sends chunked
			}
			req, _ := http.NewRequest("POST", base+"/echo"+tt.query, body)
			if tt.chunked {
				req.Trailer = http.Header{"X-Sum": {"42"}}
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("%x", sha256.Sum256(tt.body))
			if resp.StatusCode != 200 || !bytes.Equal(got, tt.body) || resp.Header.Get("X-Digest") != want {
				t.Fatalf("status %d, body %d bytes (want %d), digest %q", resp.StatusCode, len(got), len(tt.body), resp.Header.Get("X-Digest"))
			}
			if tt.chunked && resp.Header.Get("X-Trailer-Seen") != "42" {
				t.Errorf("request trailer not relayed: %q", resp.Header.Get("X-Trailer-Seen"))
			}
			if tt.chunked && resp.Trailer.Get("X-Resp-Sum") != "done" {
				t.Errorf("response trailer not relayed: %v", resp.Trailer)
			}
		})
	}
}

func TestInteropConcurrentKeepAlive(t *testing.T) {
	upstream := startHTTPUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("y", 1024))
	}), 0)
	p := &testProxy{upstream: upstream}
	base := "http://" + startTestProxy(t, p)
	client := newHTTPClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := getOK(client, base+"/x", 1024); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if dials, _ := p.counts(); dials > 8 {
		t.Errorf("%d upstream dials for 8 concurrent clients: connections not reused", dials)
	}
}

func getOK(c *http.Client, url string, size int) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || len(b) != size {
		return fmt.Errorf("GET %s: status %d, %d bytes", url, resp.StatusCode, len(b))
	}
	return nil
}

// TestUpstreamIdleCloseNeverFails is the 503 UC trap: an upstream that
// closes idle keep-alive connections quickly, bursty load with idle gaps.
// Every request must succeed; failures on stale connections are retried.
func TestUpstreamIdleCloseNeverFails(t *testing.T) {
	upstream := startHTTPUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}), 30*time.Millisecond)
	p := &testProxy{upstream: upstream, bufferMax: 1 << 10}
	base := "http://" + startTestProxy(t, p)
	client := newHTTPClient(t)
	for burst := 0; burst < 6; burst++ {
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					resp, err := client.Post(base+"/p", "text/plain", strings.NewReader("body"))
					if err == nil {
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 || string(b) != "ok" {
							err = fmt.Errorf("status %d body %q", resp.StatusCode, b)
						}
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("burst %d: %v", burst, err)
		}
		time.Sleep(40 * time.Millisecond) // longer than the upstream's idle timeout
	}
	dials, retries := p.counts()
	t.Logf("upstream dials %d, retries on stale connections %d", dials, retries)
}
