package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// rawHTTPServer answers every request with a fixed 1 KB response, reading
// heads without allocating, so a benchmark counts the proxy's allocations.
func rawHTTPServer(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n" + strings.Repeat("x", 1024))
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
				br := bufio.NewReader(c)
				for readHead(br) == nil {
					if _, err := c.Write(resp); err != nil {
						return
					}
				}
			}()
		}
	}()
	b.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

// readHead consumes one request head (no body).
func readHead(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) == 2 {
			return nil
		}
	}
}

// BenchmarkHTTP1Proxy measures one keep-alive exchange through the proxy's
// HTTP/1.1 path: a client on one connection, a pooled upstream connection,
// 1 KB responses. allocs/op counts the whole process; client and upstream
// allocate nothing per request.
func BenchmarkHTTP1Proxy(b *testing.B) {
	for _, name := range []string{"plain", "routed"} {
		b.Run(name, func(b *testing.B) {
			up := rawHTTPServer(b)
			t := &testing.T{}
			p := &testProxy{t: t, dp: newDataPlane(discardLogger(), time.Second)}
			done := make(chan struct{})
			ctx, cancel := contextWithCancel()
			go func() {
				defer close(done)
				p.dp.Run(ctx)
			}()
			defer func() {
				cancel()
				<-done
			}()
			rc := routes(to("be"))
			if name == "routed" {
				rc = benchRoutes()
			}
			p.dp.Apply(snap([]*listener.Config{httpListener("out", 0, rc)}, []*cluster.Config{staticCluster("be", cluster.HTTP1, up)}))
			c, err := net.Dial("tcp", p.dp.server.Addr("out"))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			req := []byte("GET /reviews/1 HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: bench\r\nAccept: */*\r\nEnd-User: someone\r\n\r\n")
			br := bufio.NewReaderSize(c, 8192)
			exchange := func() {
				if _, err := c.Write(req); err != nil {
					b.Fatal(err)
				}
				if err := readResponse(br); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < 100; i++ { // warm pools and buffers
				exchange()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				exchange()
			}
		})
	}
}

// readResponse consumes one response with a Content-Length body.
func readResponse(br *bufio.Reader) error {
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) == 2 {
			break
		}
		const cl = "content-length: "
		if len(line) > len(cl) && bytes.EqualFold(line[:len(cl)], []byte(cl)) {
			for _, d := range bytes.TrimSpace(line[len(cl):]) {
				n = n*10 + int(d-'0')
			}
		}
	}
	_, err := br.Discard(n)
	if err == nil && n == 0 {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// benchRoutes is a Bookinfo-sized route table: several virtual hosts, a
// header match before the default route.
func benchRoutes() *route.Config {
	var vhs []*route.VirtualHost
	for _, svc := range []string{"details", "ratings", "productpage", "reviews"} {
		jason := to("be")
		jason.Match.Headers = []route.HeaderMatch{{Name: "end-user", Value: "jason"}}
		vhs = append(vhs, &route.VirtualHost{Name: svc, Domains: []string{svc, svc + ":9080", svc + ".default.svc.cluster.local"},
			Routes: []*route.Route{jason, weighted(map[string]uint32{"be": 100})}})
	}
	return &route.Config{Name: "9080", VirtualHosts: vhs}
}

// BenchmarkH2CProxy measures one unary HTTP/2 request through the proxy's
// HTTP/2 path to an h2c upstream. allocs/op counts the whole process: the
// net/http client and upstream allocate too (about half, see docs/proxy.md).
func BenchmarkH2CProxy(b *testing.B) {
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(strings.Repeat("x", 1024))
	up := &http.Server{Protocols: &protos, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })}
	go up.Serve(ln)
	defer up.Close()
	p := &testProxy{dp: newDataPlane(discardLogger(), time.Second)}
	ctx, cancel := contextWithCancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.dp.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	p.dp.Apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP2, ln.Addr().String())}))
	tr := &http.Transport{Protocols: &protos}
	defer tr.CloseIdleConnections()
	url := "http://" + p.dp.server.Addr("out") + "/"
	exchange := func() {
		resp, err := tr.RoundTrip(mustRequest(b, url))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := 0; i < 100; i++ {
		exchange()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		exchange()
	}
}

func mustRequest(b *testing.B, url string) *http.Request {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	return req
}
