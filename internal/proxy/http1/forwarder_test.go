package http1

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file is a design check, not a product: a tiny keep-alive forwarder
// (testProxy) between a client and an upstream over loopback, measured per
// request for allocations and for calls into the connections.

// countingConn counts Read and Write calls on a proxy-side connection.
type countingConn struct {
	net.Conn
	reads, writes *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// startFixedUpstream serves every request head it reads with response; no
// allocation per request.
func startFixedUpstream(t testing.TB, response []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				serveFixed(c, response)
			}()
		}
	}()
	return ln.Addr().String()
}

func serveFixed(c net.Conn, response []byte) {
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	for {
		if err := skipHead(br); err != nil {
			return
		}
		if _, err := c.Write(response); err != nil {
			return
		}
	}
}

// skipHead reads up to the empty line ending a head (bodies are not expected).
func skipHead(br *bufio.Reader) error {
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

// readResponse reads one response with a Content-Length body.
func readResponse(br *bufio.Reader) error {
	n := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) == 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if n < 0 {
		return io.ErrUnexpectedEOF
	}
	_, err := br.Discard(n)
	return err
}

func BenchmarkForwarder1KB(b *testing.B) {
	response := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n" + benchBody)
	upstream := startFixedUpstream(b, response)
	var reads, writes atomic.Int64
	p := &testProxy{upstream: upstream}
	p.wrap = func(c net.Conn) net.Conn { return countingConn{c, &reads, &writes} }
	p.dial = func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &reads, &writes}, nil
	}
	addr := startTestProxy(b, p)
	client, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	br := bufio.NewReaderSize(client, 4096)
	request := []byte(benchRequest)
	roundTrip := func() {
		if _, err := client.Write(request); err != nil {
			b.Fatal(err)
		}
		if err := readResponse(br); err != nil {
			b.Fatal(err)
		}
	}
	roundTrip() // dial the upstream outside the measurement
	reads.Store(0)
	writes.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		roundTrip()
	}
	b.StopTimer()
	b.ReportMetric(float64(reads.Load())/float64(b.N), "conn-reads/op")
	b.ReportMetric(float64(writes.Load())/float64(b.N), "conn-writes/op")
	client.Close()
}

// TestServeForwarder runs the test forwarder as a standalone process for
// external measurement (strace -c, fortio), only when LOOM_HTTP1_FORWARD is
// set to "listen-addr,upstream-addr,seconds".
func TestServeForwarder(t *testing.T) {
	spec := os.Getenv("LOOM_HTTP1_FORWARD")
	if spec == "" {
		t.Skip("set LOOM_HTTP1_FORWARD=listen,upstream,seconds to run")
	}
	parts := bytes.Split([]byte(spec), []byte(","))
	if len(parts) != 3 {
		t.Fatalf("LOOM_HTTP1_FORWARD=%q: want listen,upstream,seconds", spec)
	}
	secs, err := strconv.Atoi(string(parts[2]))
	if err != nil {
		t.Fatal(err)
	}
	p := &testProxy{upstream: string(parts[1]), listen: string(parts[0])}
	startTestProxy(t, p)
	time.Sleep(time.Duration(secs) * time.Second)
}
