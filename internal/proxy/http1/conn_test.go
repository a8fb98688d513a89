package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawUpstream accepts one connection and hands it to serve.
func rawUpstream(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// A streamed response reaches the client piece by piece: the proxy flushes
// before it waits for the upstream.
func TestStreamingIsFlushedBeforeBlocking(t *testing.T) {
	gotFirst := make(chan struct{})
	upstream := rawUpstream(t, func(c net.Conn) {
		skipHead(bufio.NewReader(c))
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
		select {
		case <-gotFirst:
		case <-time.After(ioWait):
			return
		}
		io.WriteString(c, "6\r\nsecond\r\n0\r\n\r\n")
	})
	client, err := net.Dial("tcp", startTestProxy(t, &testProxy{upstream: upstream}))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	io.WriteString(client, getA)
	if err := expectBytes(client, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n"); err != nil {
		t.Fatalf("first piece: %v", err)
	}
	close(gotFirst)
	if err := expectBytes(client, "6\r\nsecond\r\n0\r\n\r\n"); err != nil {
		t.Fatalf("second piece: %v", err)
	}
}

// A request body longer than the buffer bound is sent once, then the
// request is no longer replayable.
func TestBufferBodyBeyondBound(t *testing.T) {
	client, server := tcpPair(t)
	defer client.Close()
	pool := NewPool(Config{})
	sc := pool.NewServerConn(server)
	defer sc.Close()
	go io.WriteString(client, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	complete, err := req.BufferBody(4)
	if complete || err != nil || string(req.BufferedBody()) != "0123" || req.Replayable() {
		t.Fatalf("BufferBody(4) = %v, %v; buffered %q replayable %v", complete, err, req.BufferedBody(), req.Replayable())
	}
	upClient, upServer := tcpPair(t)
	defer upClient.Close()
	uc := pool.NewClientConn(upServer)
	defer uc.Close()
	if err := uc.WriteRequest(&req, nil); err != nil {
		t.Fatal(err)
	}
	want := "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"
	if err := expectBytes(upClient, want); err != nil {
		t.Fatal(err)
	}
	if err := uc.WriteRequest(&req, nil); !errors.Is(err, ErrNotReplayable) {
		t.Fatalf("second WriteRequest: %v, want ErrNotReplayable", err)
	}
}

// A fully buffered chunked body is replayed with its trailers, any number of
// times.
func TestBufferBodyReplay(t *testing.T) {
	client, server := tcpPair(t)
	defer client.Close()
	pool := NewPool(Config{})
	sc := pool.NewServerConn(server)
	defer sc.Close()
	go io.WriteString(client, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	if complete, err := req.BufferBody(1 << 10); !complete || err != nil {
		t.Fatalf("BufferBody = %v, %v", complete, err)
	}
	for i := 0; i < 2; i++ {
		upClient, upServer := tcpPair(t)
		uc := pool.NewClientConn(upServer)
		if err := uc.WriteRequest(&req, nil); err != nil {
			t.Fatal(err)
		}
		want := "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\nX-T: 1\r\n\r\n"
		if err := expectBytes(upClient, want); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		uc.Close()
		upClient.Close()
	}
	if !sc.KeepAlive() {
		t.Error("downstream not kept alive after the body was read")
	}
}

// DiscardBody drains a response (e.g. a 503 to be retried) and keeps the
// connection reusable.
func TestDiscardBody(t *testing.T) {
	uc := NewPool(Config{}).NewClientConn(newMemConn("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"))
	req := &Request{method: []byte("GET")}
	var resp Response
	if err := uc.ReadResponse(&resp, req); err != nil {
		t.Fatal(err)
	}
	if err := uc.DiscardBody(1 << 10); err != nil || !uc.Reusable() {
		t.Fatalf("DiscardBody: %v, reusable %v", err, uc.Reusable())
	}
	uc2 := NewPool(Config{}).NewClientConn(newMemConn("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"))
	uc2.ReadResponse(&resp, req)
	if err := uc2.DiscardBody(2); err != nil || uc2.Reusable() {
		t.Fatalf("DiscardBody past max: %v, reusable %v", err, uc2.Reusable())
	}
}

// PeerClosed sees an upstream that closed an idle connection.
func TestPeerClosed(t *testing.T) {
	client, server := tcpPair(t)
	uc := NewPool(Config{}).NewClientConn(client)
	defer uc.Close()
	if uc.PeerClosed() {
		t.Fatal("open idle connection reported closed")
	}
	server.Close()
	deadline := time.Now().Add(ioWait)
	for !uc.PeerClosed() {
		if time.Now().After(deadline) {
			t.Fatal("closed connection not detected")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestIsHTTP2Preface(t *testing.T) {
	const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	for _, tt := range []struct {
		in   string
		want bool
	}{{preface + "\x00\x00", true}, {getA, false}, {"PRIX / HTTP/1.1\r\nHost: h\r\n\r\n", false}} {
		sc := NewPool(Config{}).NewServerConn(newMemConn(tt.in))
		got, err := sc.IsHTTP2Preface()
		if err != nil || got != tt.want {
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
		conn, pending := sc.Detach()
		if conn == nil || !strings.HasPrefix(tt.in, string(pending)) || len(pending) == 0 {
			t.Errorf("%q: Detach pending %q", tt.in, pending)
		}
	}
}

func TestWriteLocal(t *testing.T) {
	tests := []struct {
		name, in string
		status   int
		want     string
	}{
		{"GET", getA, 404, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n\r\nroute not found"},
		{"HEAD", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", 404, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n\r\n"},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 503,
			"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 15\r\nConnection: keep-alive\r\n\r\nroute not found"},
		{"204", getA, 204, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := newMemConn(tt.in)
			sc := NewPool(Config{}).NewServerConn(conn)
			var req Request
			if err := sc.ReadRequest(&req); err != nil {
				t.Fatal(err)
			}
			var ed *ResponseEdit
			if tt.status == 204 {
				ed = &ResponseEdit{Close: true}
			}
			if err := sc.WriteLocal(tt.status, ed, "text/plain", []byte("route not found")); err != nil {
				t.Fatal(err)
			}
			if got := conn.w.String(); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Interim responses are not sent to HTTP/1.0 clients.
func TestWriteInterimSkipsHTTP10(t *testing.T) {
	conn := newMemConn("GET / HTTP/1.0\r\n\r\n")
	sc := NewPool(Config{}).NewServerConn(conn)
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	resp, err := readOneResponse(t, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", "GET", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.WriteInterim(resp); err != nil || conn.w.Len() != 0 {
		t.Errorf("WriteInterim to 1.0 client: %v, wrote %q", err, conn.w.Bytes())
	}
}

// A client whose large body the proxy refuses can finish writing it and
// then read the response: Close drains (lingers) instead of resetting the
// connection under the client's write.
func TestCloseLingersForUnreadBody(t *testing.T) {
	const size = 8 << 20
	p := &testProxy{
		reject: func(*Request) int { return 413 },
		pool:   NewPool(Config{LingerBytes: 2 * size, LingerTimeout: 5 * time.Second}),
	}
	client, err := net.Dial("tcp", startTestProxy(t, p))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(client, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 8388608\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Write(bytes.Repeat([]byte("z"), size)); err != nil {
		t.Fatalf("client could not finish its body: %v", err)
	}
	want := local(413, "Content Too Large", "rejected", true)
	if err := expectBytes(client, want); err != nil {
		t.Fatal(err)
	}
}

// An upstream that answers before reading the whole request body (413, then
// close) gets its answer to the client instead of a 502.
func TestEarlyUpstreamResponse(t *testing.T) {
	upstream := rawUpstream(t, func(c net.Conn) {
		skipHead(bufio.NewReader(c))
		io.WriteString(c, "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo big!")
	})
	client, err := net.Dial("tcp", startTestProxy(t, &testProxy{upstream: upstream}))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	go func() {
		io.WriteString(client, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 8388608\r\n\r\n")
		client.Write(bytes.Repeat([]byte("z"), 8<<20))
	}()
	if err := expectBytes(client, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big!"); err != nil {
		t.Fatal(err)
	}
}

// A request whose body nobody read leaves no parseable next request.
func TestReadRequestAfterUnreadBody(t *testing.T) {
	sc := NewPool(Config{}).NewServerConn(newMemConn(postHi + getA))
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	if err := sc.ReadRequest(&req); err != io.EOF || sc.KeepAlive() {
		t.Fatalf("second ReadRequest: %v, keep-alive %v; want io.EOF, false", err, sc.KeepAlive())
	}
}

// Rewrites that would inject bytes into the request line or Host are refused.
func TestWriteRequestRejectsBadRewrite(t *testing.T) {
	for _, ed := range []*RequestEdit{
		{Path: []byte("/a\r\nX-Evil: 1")},
		{Path: []byte("/a b")},
		{Host: "h\r\nX-Evil: 1"},
		{Host: "a/b"},
		{StripPrefix: "/", PrefixRewrite: "/x y/"},
	} {
		req, err := readOneRequest(t, getA, Config{})
		if err != nil {
			t.Fatal(err)
		}
		out := &memConn{r: bytes.NewReader(nil)}
		uc := NewPool(Config{}).NewClientConn(out)
		if err := uc.WriteRequest(req, ed); !errors.Is(err, ErrBadRewrite) || out.w.Len() != 0 {
			t.Errorf("edit %+v: got %v, wrote %q", ed, err, out.w.Bytes())
		}
	}
}
