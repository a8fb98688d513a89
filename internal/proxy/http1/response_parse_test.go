package http1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readOneResponse(t testing.TB, in, method string, upgrade bool) (*Response, error) {
	t.Helper()
	req := &Request{method: []byte(method)}
	if upgrade {
		req.upgrade = []byte("websocket")
	}
	uc := NewPool(Config{}).NewClientConn(newMemConn(in))
	var resp Response
	err := uc.ReadResponse(&resp, req)
	return &resp, err
}

func TestReadResponseHead(t *testing.T) {
	tests := []struct {
		name, in, method string
		upgrade          bool
		want             respSummary
	}{{
		name: "content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, Headers: []string{"Content-Length: 10"}, ContentLength: 10, HasBody: true},
	}, {
		name: "zero length", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, Headers: []string{"Content-Length: 0"}},
	}, {
		name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, Headers: []string{"Transfer-Encoding: chunked"}, ContentLength: -1, HasBody: true},
	}, {
		name: "chunked wins over length and closes", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, Headers: []string{"Content-Length: 5", "Transfer-Encoding: chunked"},
			ContentLength: -1, HasBody: true, Close: true},
	}, {
		name: "close-delimited", in: "HTTP/1.1 200 OK\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, ContentLength: -1, HasBody: true, Close: true},
	}, {
		name: "HEAD keeps the declared length but has no body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", method: "HEAD",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, Headers: []string{"Content-Length: 10"}, ContentLength: 10},
	}, {
		name: "204", in: "HTTP/1.1 204 No Content\r\n\r\n", method: "DELETE",
		want: respSummary{Status: 204, Reason: "No Content", Minor: 1, ContentLength: -1},
	}, {
		name: "304 with length", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", method: "GET",
		want: respSummary{Status: 304, Reason: "Not Modified", Minor: 1, Headers: []string{"Content-Length: 7"}, ContentLength: 7},
	}, {
		name: "100 continue is interim", in: "HTTP/1.1 100 Continue\r\n\r\n", method: "PUT",
		want: respSummary{Status: 100, Reason: "Continue", Minor: 1, ContentLength: -1, Interim: true},
	}, {
		name: "103 early hints", in: "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", method: "GET",
		want: respSummary{Status: 103, Reason: "Early Hints", Minor: 1, Headers: []string{"Link: </s.css>; rel=preload"}, ContentLength: -1, Interim: true},
	}, {
		name: "101 to an upgrade", in: "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", method: "GET", upgrade: true,
		want: respSummary{Status: 101, Reason: "Switching Protocols", Minor: 1, Headers: []string{"Connection: upgrade", "Upgrade: websocket"},
			ContentLength: -1, Tunnel: true, Close: false},
	}, {
		name: "CONNECT 200 is a tunnel", in: "HTTP/1.1 200 Connection Established\r\n\r\n", method: "CONNECT",
		want: respSummary{Status: 200, Reason: "Connection Established", Minor: 1, ContentLength: -1, Tunnel: true},
	}, {
		name: "HTTP/1.0 closes", in: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 0, Headers: []string{"Content-Length: 1"}, ContentLength: 1, HasBody: true, Close: true},
	}, {
		name: "HTTP/1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 0, Headers: []string{"Connection: keep-alive", "Content-Length: 1"}, ContentLength: 1, HasBody: true},
	}, {
		name: "connection close", in: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", method: "GET",
		want: respSummary{Status: 200, Reason: "OK", Minor: 1, Headers: []string{"Connection: close", "Content-Length: 1"}, ContentLength: 1, HasBody: true, Close: true},
	}, {
		name: "no reason, no trailing space", in: "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", method: "GET",
		want: respSummary{Status: 404, Minor: 1, Headers: []string{"Content-Length: 0"}},
	}, {
		name: "empty reason", in: "HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n", method: "GET",
		want: respSummary{Status: 500, Minor: 1, Headers: []string{"Content-Length: 0"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := readOneResponse(t, tt.in, tt.method, tt.upgrade)
			if err != nil {
				t.Fatalf("ReadResponse: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarizeResponse(resp)); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadResponseRejects(t *testing.T) {
	bad := func(k Kind) *errSummary { return &errSummary{Side: Upstream, Kind: k, Status: 502} }
	tests := []struct {
		name, in string
		upgrade  bool
		want     *errSummary
	}{
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", false, bad(Malformed)},
		{"short status", "HTTP/1.1 20 OK\r\n\r\n", false, bad(Malformed)},
		{"status below 100", "HTTP/1.1 099 X\r\n\r\n", false, bad(Malformed)},
		{"letters in status", "HTTP/1.1 2x0 X\r\n\r\n", false, bad(Malformed)},
		{"no space after status", "HTTP/1.1 200OK\r\n\r\n", false, bad(Malformed)},
		{"HTTP/2 status line", "HTTP/2.0 200 OK\r\n\r\n", false, bad(UnsupportedVersion)},
		{"control in reason", "HTTP/1.1 200 O\x01K\r\n\r\n", false, bad(Malformed)},
		{"obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n\r\n", false, bad(Malformed)},
		{"conflicting CL", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, bad(Framing)},
		{"TE in 1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, bad(Framing)},
		{"gzip TE", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, bad(UnsupportedTransferEncoding)},
		{"unasked 101", "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", false, bad(BadUpgrade)},
		{"101 without Upgrade", "HTTP/1.1 101 Switching Protocols\r\n\r\n", true, bad(BadUpgrade)},
		{"leading empty line", "\r\nHTTP/1.1 200 OK\r\n\r\n", false, bad(Malformed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readOneResponse(t, tt.in, "GET", tt.upgrade)
			if diff := cmp.Diff(tt.want, summarizeErr(err)); diff != "" {
				t.Errorf("error %v (-want +got):\n%s", err, diff)
			}
		})
	}
}
