package http1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppendRequestHead(t *testing.T) {
	routeEdits := &HeaderEdits{
		Set:    []Field{{"x-route", "r"}, {"x-shared", "from-route"}},
		Add:    []Field{{"x-multi", "2"}},
		Remove: []string{"X-Secret"},
	}
	hostEdits := &HeaderEdits{Set: []Field{{"X-Shared", "from-host"}}, Add: []Field{{"x-host", "h"}}}
	tests := []struct {
		name string
		in   string
		ed   *RequestEdit
		want string
	}{{
		name: "plain GET unchanged",
		in:   "GET /a?b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
		want: "GET /a?b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
	}, {
		name: "hop-by-hop fields and those Connection names are removed",
		in: "GET / HTTP/1.1\r\nConnection: keep-alive, X-Hop\r\nHost: h\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n" +
			"Proxy-Connection: keep-alive\r\nTE: gzip\r\nProxy-Authorization: Basic x\r\nProxy-Authenticate: y\r\nUpgrade: foo\r\nX-End: 1\r\n\r\n",
		want: "GET / HTTP/1.1\r\nHost: h\r\nX-End: 1\r\n\r\n",
	}, {
		name: "TE trailers survives, Host goes first",
		in:   "POST /rpc HTTP/1.1\r\nContent-Type: application/grpc\r\nTE: trailers\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
		want: "POST /rpc HTTP/1.1\r\nHost: h\r\nContent-Type: application/grpc\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n",
	}, {
		name: "content-length re-emitted, expect 100-continue dropped, other expectation kept",
		in:   "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 00012\r\nExpect: 100-continue\r\n\r\n",
		want: "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n",
	}, {
		name: "explicit zero length kept",
		in:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
		want: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
	}, {
		name: "absolute form becomes origin form",
		in:   "GET http://svc:80?q=1 HTTP/1.1\r\nHost: other\r\n\r\n",
		want: "GET /?q=1 HTTP/1.1\r\nHost: svc:80\r\n\r\n",
	}, {
		name: "HTTP/1.0 request goes out as 1.1",
		in:   "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		want: "GET / HTTP/1.1\r\nHost: \r\n\r\n",
	}, {
		name: "host and path rewrite with header edits in layers",
		in:   "GET /old/x?y HTTP/1.1\r\nHost: h\r\nX-Secret: s\r\nx-shared: orig\r\nX-Multi: 1\r\n\r\n",
		ed: &RequestEdit{Host: "reviews:9080", StripPrefix: "/old", PrefixRewrite: "/new",
			Headers: []*HeaderEdits{routeEdits, hostEdits}, Extra: []byte("x-request-id: abc\r\n")},
		want: "GET /new/x?y HTTP/1.1\r\nHost: reviews:9080\r\nX-Multi: 1\r\nx-route: r\r\nx-multi: 2\r\n" +
			"X-Shared: from-host\r\nx-host: h\r\nx-request-id: abc\r\n\r\n",
	}, {
		name: "prefix rewrite to nothing leaves /",
		in:   "GET /api HTTP/1.1\r\nHost: h\r\n\r\n",
		ed:   &RequestEdit{StripPrefix: "/api"},
		want: "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
	}, {
		name: "prefix that does not match",
		in:   "GET /other HTTP/1.1\r\nHost: h\r\n\r\n",
		ed:   &RequestEdit{StripPrefix: "/api", PrefixRewrite: "/v2"},
		want: "GET /other HTTP/1.1\r\nHost: h\r\n\r\n",
	}, {
		name: "full path replacement keeps the query",
		in:   "GET /a?k=v HTTP/1.1\r\nHost: h\r\n\r\n",
		ed:   &RequestEdit{Path: []byte("/b/c"), Close: true},
		want: "GET /b/c?k=v HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}, {
		name: "websocket upgrade keeps Upgrade",
		in:   "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n",
		want: "GET /ws HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key: k\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
	}, {
		name: "h2c upgrade is stripped",
		in:   "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAA\r\n\r\n",
		want: "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
	}, {
		name: "CONNECT and OPTIONS * targets kept",
		in:   "CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n",
		want: "CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := readOneRequest(t, tt.in, Config{})
			if err != nil {
				t.Fatal(err)
			}
			got := string(AppendRequestHead(nil, req, tt.ed))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("head (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendResponseHead(t *testing.T) {
	edits := &ResponseEdit{Headers: []*HeaderEdits{{Set: []Field{{"server", "loom"}}, Remove: []string{"x-internal"}}}}
	tests := []struct {
		name, in, method string
		clientMinor      int
		keepAlive        bool
		ed               *ResponseEdit
		want             string
	}{{
		name: "length kept", in: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
	}, {
		name: "close-delimited becomes chunked for 1.1", in: "HTTP/1.0 200 OK\r\nX: y\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nX: y\r\nTransfer-Encoding: chunked\r\n\r\n",
	}, {
		name: "chunked becomes close-delimited for 1.0", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		method: "GET", clientMinor: 0, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
	}, {
		name: "1.0 keep-alive client", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		method: "GET", clientMinor: 0, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n",
	}, {
		name: "upstream close does not close the client", in: "HTTP/1.1 200 OK\r\nConnection: close, X-H\r\nX-H: 1\r\nKeep-Alive: timeout=1\r\nContent-Length: 0\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	}, {
		name: "close requested", in: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: false,
		want: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	}, {
		name: "HEAD response keeps length metadata", in: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
		method: "HEAD", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
	}, {
		name: "HEAD response keeps chunked metadata", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		method: "HEAD", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	}, {
		name: "204 carries no framing", in: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 204 No Content\r\n\r\n",
	}, {
		name: "304 keeps length", in: "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 9\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 9\r\n\r\n",
	}, {
		name: "edits", in: "HTTP/1.1 200 OK\r\nServer: app\r\nX-Internal: 1\r\nContent-Length: 0\r\n\r\n",
		method: "GET", clientMinor: 1, keepAlive: true, ed: edits,
		want: "HTTP/1.1 200 OK\r\nserver: loom\r\nContent-Length: 0\r\n\r\n",
	}, {
		name: "trailer announcement kept", in: "HTTP/1.1 200 OK\r\nTrailer: grpc-status\r\nTransfer-Encoding: chunked\r\n\r\n",
		method: "POST", clientMinor: 1, keepAlive: true,
		want: "HTTP/1.1 200 OK\r\nTrailer: grpc-status\r\nTransfer-Encoding: chunked\r\n\r\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := readOneResponse(t, tt.in, tt.method, false)
			if err != nil {
				t.Fatal(err)
			}
			got := string(AppendResponseHead(nil, resp, tt.ed, tt.clientMinor, tt.keepAlive))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("head (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendResponseHeadUpgrade(t *testing.T) {
	resp, err := readOneResponse(t, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: a\r\n\r\n", "GET", true)
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
	if diff := cmp.Diff(want, string(AppendResponseHead(nil, resp, nil, 1, true))); diff != "" {
		t.Errorf("head (-want +got):\n%s", diff)
	}
}

func TestHeaderEditsValidate(t *testing.T) {
	tests := []struct {
		name string
		ed   HeaderEdits
		ok   bool
	}{
		{"fine", HeaderEdits{Set: []Field{{"x-a", "b c"}}, Add: []Field{{"x-b", ""}}, Remove: []string{"x-c"}}, true},
		{"CRLF in value", HeaderEdits{Add: []Field{{"x-a", "b\r\nX-Evil: 1"}}}, false},
		{"space in name", HeaderEdits{Set: []Field{{"x a", "b"}}}, false},
		{"empty remove", HeaderEdits{Remove: []string{""}}, false},
		{"framing field", HeaderEdits{Set: []Field{{"Content-Length", "1"}}}, false},
		{"hop-by-hop field", HeaderEdits{Remove: []string{"connection"}}, false},
		{"host", HeaderEdits{Set: []Field{{"host", "x"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.ed.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
