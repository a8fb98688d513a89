package http1

import (
	"fmt"
	"testing"
)

const (
	getA   = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	getB   = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
	okA    = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
	okB    = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB"
	postHi = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
)

// local is a proxy-generated text/plain response.
func local(status int, text, reason string, closing bool) string {
	conn := ""
	if closing {
		conn = "Connection: close\r\n"
	}
	return fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n%s\r\n%s",
		status, text, len(reason), conn, reason)
}

func TestConformanceKeepAlive(t *testing.T) {
	cases := []exchangeCase{{
		name:      "sequential requests reuse both connections",
		client:    []step{{getA, okA}, {getB, okB}},
		upstream:  []hop{{want: getA, reply: okA}, {want: getB, reply: okB}},
		wantDials: 1,
	}, {
		name:      "pipelined requests are answered in order",
		client:    []step{{getA + getB, okA + okB}},
		upstream:  []hop{{want: getA, reply: okA}, {want: getB, reply: okB}},
		wantDials: 1,
	}, {
		name:      "content-length body",
		client:    []step{{postHi, okA}, {getB, okB}},
		upstream:  []hop{{want: postHi, reply: okA}, {want: getB, reply: okB}},
		wantDials: 1,
	}, {
		name:      "HTTP/1.0 keep-alive client",
		client:    []step{{"GET /a HTTP/1.0\r\nConnection: keep-alive\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nA"}, {getB, okB}},
		upstream:  []hop{{want: getA, reply: okA}, {want: getB, reply: okB}},
		wantDials: 1,
	}, {
		name:      "HTTP/1.0 client without keep-alive is closed",
		client:    []step{{"GET /a HTTP/1.0\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nA"}},
		upstream:  []hop{{want: getA, reply: okA}},
		clientEOF: true,
	}, {
		name:      "client Connection: close",
		client:    []step{{"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nA"}},
		upstream:  []hop{{want: getA, reply: okA}},
		clientEOF: true,
	}, {
		name:   "upstream Connection: close keeps the client, redials upstream",
		client: []step{{getA, okA}, {getB, okB}},
		upstream: []hop{
			{want: getA, reply: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nA", close: true},
			{want: getB, reply: okB, fresh: true},
		},
		wantDials: 2,
	}, {
		name:   "upstream closing an idle keep-alive connection is retried on a fresh one",
		client: []step{{getA, okA}, {getB, okB}},
		upstream: []hop{
			{want: getA, reply: okA, close: true},
			{want: getB, reply: okB, fresh: true},
		},
		wantDials: 2, wantRetries: 1,
	}, {
		name:   "buffered body is replayed after a stale connection",
		client: []step{{getA, okA}, {postHi, okB}},
		upstream: []hop{
			{want: getA, reply: okA, close: true},
			{want: postHi, reply: okB, fresh: true},
		},
		proxy:     &testProxy{bufferMax: 1 << 10},
		wantDials: 2, wantRetries: 1,
	}, {
		name:   "streamed body is not replayed: 502",
		client: []step{{getA, okA}, {postHi, local(502, "Bad Gateway", "upstream reset before response", false)}},
		upstream: []hop{
			{want: getA, reply: okA, close: true},
		},
		wantDials: 1,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runExchange(t, tc) })
	}
}

func TestConformanceFraming(t *testing.T) {
	cases := []exchangeCase{{
		name: "chunked request: extensions dropped, trailers relayed",
		client: []step{{"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n" +
			"5;name=val;q=\"a b\"\r\nhello\r\n6 ; x\r\n world\r\n0\r\nx-sum: 42\r\n\r\n", okA}},
		upstream: []hop{{want: "POST /u HTTP/1.1\r\nHost: h\r\nTrailer: x-sum\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5\r\nhello\r\n6\r\n world\r\n0\r\nx-sum: 42\r\n\r\n", reply: okA}},
	}, {
		name:   "chunked response with trailers",
		client: []step{{getA, "HTTP/1.1 200 OK\r\nTrailer: grpc-status\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\ngrpc-status: 0\r\n\r\n"}, {getB, okB}},
		upstream: []hop{
			{want: getA, reply: "HTTP/1.1 200 OK\r\nTrailer: grpc-status\r\nTransfer-Encoding: chunked\r\n\r\n3;ext\r\nabc\r\n0\r\ngrpc-status: 0\r\nConnection: x\r\n\r\n"},
			{want: getB, reply: okB},
		},
		wantDials: 1,
	}, {
		name:   "HEAD response has no body",
		client: []step{{"HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"}, {getB, okB}},
		upstream: []hop{
			{want: "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n", reply: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"},
			{want: getB, reply: okB},
		},
		wantDials: 1,
	}, {
		name:   "204 and 304 have no body",
		client: []step{{getA, "HTTP/1.1 204 No Content\r\n\r\n"}, {getB, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"}, {getA, okA}},
		upstream: []hop{
			{want: getA, reply: "HTTP/1.1 204 No Content\r\n\r\n"},
			{want: getB, reply: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"},
			{want: getA, reply: okA},
		},
		wantDials: 1,
	}, {
		name:   "close-delimited response goes chunked to an HTTP/1.1 client",
		client: []step{{getA, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n"}, {getB, okB}},
		upstream: []hop{
			{want: getA, reply: "HTTP/1.1 200 OK\r\n\r\nbody", close: true},
			{want: getB, reply: okB, fresh: true},
		},
		wantDials: 2,
	}, {
		name:      "close-delimited response to an HTTP/1.0 client",
		client:    []step{{"GET /a HTTP/1.0\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody"}},
		upstream:  []hop{{want: getA, reply: "HTTP/1.1 200 OK\r\n\r\nbody", close: true}},
		clientEOF: true,
	}, {
		name:      "chunked response to an HTTP/1.0 client is close-delimited",
		client:    []step{{"GET /a HTTP/1.0\r\nConnection: keep-alive\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc"}},
		upstream:  []hop{{want: getA, reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"}},
		clientEOF: true,
	}, {
		name:      "truncated response body: client disconnected after what arrived",
		client:    []step{{getA, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}},
		upstream:  []hop{{want: getA, reply: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close: true}},
		clientEOF: true,
	}, {
		name:   "invalid upstream framing: 502, client kept",
		client: []step{{getA, local(502, "Bad Gateway", "conflicting Content-Length values", false)}, {getB, okB}},
		upstream: []hop{
			{want: getA, reply: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nAB"},
			{want: getB, reply: okB, fresh: true},
		},
		wantDials: 2,
	}, {
		name:   "bad chunk size from upstream before anything was sent: 502",
		client: []step{{getA, local(502, "Bad Gateway", "invalid chunk size line", false)}},
		upstream: []hop{
			{want: getA, reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runExchange(t, tc) })
	}
}

func TestConformanceContinueAndUpgrade(t *testing.T) {
	putHead := "PUT /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
	cont := "HTTP/1.1 100 Continue\r\n\r\n"
	cases := []exchangeCase{{
		name:     "100-continue answered by the proxy when the body is needed",
		client:   []step{{putHead, cont}, {"hello", okA}},
		upstream: []hop{{want: "PUT /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", reply: okA}},
	}, {
		name:     "100-continue with a buffered body",
		client:   []step{{putHead, cont}, {"hello", okA}},
		upstream: []hop{{want: "PUT /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", reply: okA}},
		proxy:    &testProxy{bufferMax: 1 << 10},
	}, {
		name:      "100-continue refused: no 100, final answer, close",
		client:    []step{{putHead, local(403, "Forbidden", "rejected", true)}},
		proxy:     &testProxy{reject: func(*Request) int { return 403 }},
		clientEOF: true,
	}, {
		name:     "early hints are forwarded",
		client:   []step{{getA, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + okA}},
		upstream: []hop{{want: getA, reply: "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + okA}},
	}, {
		name: "websocket upgrade is tunnelled both ways",
		client: []step{
			{"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n",
				"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nhi"},
			{"ping", "pong"},
		},
		upstream: []hop{
			{want: "GET /ws HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key: k\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
				reply: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhi"},
			{want: "ping", reply: "pong"},
		},
		clientEOF: true,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runExchange(t, tc) })
	}
}

func TestConformanceRejectsSmuggling(t *testing.T) {
	bad := func(status int, text, reason string) string { return local(status, text, reason, true) }
	cases := []exchangeCase{{
		name:      "CL and TE",
		client:    []step{{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", bad(400, "Bad Request", "both Content-Length and Transfer-Encoding")}},
		clientEOF: true,
	}, {
		name:      "obs-fold",
		client:    []step{{"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", bad(400, "Bad Request", "obsolete line folding in header field")}},
		clientEOF: true,
	}, {
		name:      "unsupported transfer coding",
		client:    []step{{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", bad(501, "Not Implemented", "transfer coding other than chunked")}},
		clientEOF: true,
	}, {
		name:      "head too large",
		client:    []step{{"GET / HTTP/1.1\r\nHost: h\r\nX: " + string(make([]byte, 600)) + "\r\n\r\n", bad(431, "Request Header Fields Too Large", "head too large")}},
		proxy:     &testProxy{pool: NewPool(Config{MaxHeadBytes: 512})},
		clientEOF: true,
	}, {
		name: "bad chunk size in request body: nothing reaches the upstream",
		client: []step{{"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n-1\r\n\r\n",
			bad(400, "Bad Request", "invalid chunk size line")}},
		upstream:  []hop{{want: ""}},
		proxy:     &testProxy{},
		clientEOF: true,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runExchange(t, tc) })
	}
}
