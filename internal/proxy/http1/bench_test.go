package http1

import (
	"strings"
	"testing"
)

// A request as a browser-ish client or an app's HTTP library sends it.
const benchRequest = "GET /api/v1/reviews/42?lang=en&page=2 HTTP/1.1\r\n" +
	"Host: reviews.default.svc.cluster.local:9080\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n" +
	"Accept: application/json, text/plain, */*\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Connection: keep-alive\r\n" +
	"X-Request-Id: 9f0c7a6e-3b1d-4c2e-8f5a-1d2e3f4a5b6c\r\n" +
	"X-B3-TraceId: 80f198ee56343ba864fe8b2a57d3eff7\r\n" +
	"X-B3-SpanId: e457b5a2e4d86bd1\r\n" +
	"Cookie: session=abcdef0123456789\r\n\r\n"

const benchResponseHead = "HTTP/1.1 200 OK\r\n" +
	"Content-Type: application/json\r\n" +
	"Date: Mon, 17 Aug 2026 13:41:26 GMT\r\n" +
	"Server: reviews\r\n" +
	"Cache-Control: no-cache\r\n" +
	"X-Envoy-Upstream-Service-Time: 3\r\n"

var benchBody = strings.Repeat("x", 1024)

func benchEdit() *RequestEdit {
	return &RequestEdit{
		Headers: []*HeaderEdits{{
			Set:    []Field{{"x-route", "reviews-v2"}},
			Add:    []Field{{"x-forwarded-proto", "http"}},
			Remove: []string{"cookie"},
		}},
		Extra: []byte("x-forwarded-for: 127.0.0.1\r\n"),
	}
}

func BenchmarkReadRequestHead(b *testing.B) {
	sc := NewPool(Config{}).NewServerConn(&repeatConn{payload: []byte(benchRequest)})
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(benchRequest)))
	for b.Loop() {
		if err := sc.ReadRequest(&req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendRequestHead(b *testing.B) {
	sc := NewPool(Config{}).NewServerConn(&repeatConn{payload: []byte(benchRequest)})
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		b.Fatal(err)
	}
	ed := benchEdit()
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendRequestHead(buf[:0], &req, ed)
	}
}

func BenchmarkReadResponseHead(b *testing.B) {
	head := benchResponseHead + "Content-Length: 0\r\n\r\n"
	uc := NewPool(Config{}).NewClientConn(&repeatConn{payload: []byte(head)})
	req := &Request{method: []byte("GET")}
	var resp Response
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if err := uc.ReadResponse(&resp, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRelayResponse1KB reads a response head with a 1 KB body from the
// upstream and writes head and body downstream.
func BenchmarkRelayResponse1KB(b *testing.B) {
	benchRelay(b, benchResponseHead+"Content-Length: 1024\r\n\r\n"+benchBody)
}

func BenchmarkRelayResponseChunked1KB(b *testing.B) {
	benchRelay(b, benchResponseHead+"Transfer-Encoding: chunked\r\n\r\n200\r\n"+benchBody[:512]+"\r\n200\r\n"+benchBody[:512]+"\r\n0\r\n\r\n")
}

func benchRelay(b *testing.B, response string) {
	pool := NewPool(Config{})
	sc := pool.NewServerConn(&repeatConn{payload: []byte(benchRequest)})
	uc := pool.NewClientConn(&repeatConn{payload: []byte(response)})
	var req Request
	var resp Response
	if err := sc.ReadRequest(&req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(response)))
	for b.Loop() {
		if err := uc.ReadResponse(&resp, &req); err != nil {
			b.Fatal(err)
		}
		if err := sc.WriteResponse(&resp, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExchange1KB is the whole codec work of one proxied request:
// read the request head, write it upstream with edits, read the response
// head, relay a 1 KB body downstream.
func BenchmarkExchange1KB(b *testing.B) {
	pool := NewPool(Config{})
	sc := pool.NewServerConn(&repeatConn{payload: []byte(benchRequest)})
	uc := pool.NewClientConn(&repeatConn{payload: []byte(benchResponseHead + "Content-Length: 1024\r\n\r\n" + benchBody)})
	var req Request
	var resp Response
	ed := benchEdit()
	b.ReportAllocs()
	for b.Loop() {
		if err := sc.ReadRequest(&req); err != nil {
			b.Fatal(err)
		}
		if err := uc.WriteRequest(&req, ed); err != nil {
			b.Fatal(err)
		}
		if err := uc.ReadResponse(&resp, &req); err != nil {
			b.Fatal(err)
		}
		if err := sc.WriteResponse(&resp, nil); err != nil {
			b.Fatal(err)
		}
		if !sc.KeepAlive() || !uc.Reusable() {
			b.Fatal("connection not kept")
		}
	}
}

func BenchmarkBufferBody1KB(b *testing.B) {
	post := "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + benchBody
	pool := NewPool(Config{})
	sc := pool.NewServerConn(&repeatConn{payload: []byte(post)})
	var req Request
	b.ReportAllocs()
	for b.Loop() {
		if err := sc.ReadRequest(&req); err != nil {
			b.Fatal(err)
		}
		if ok, err := req.BufferBody(64 << 10); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
