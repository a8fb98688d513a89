package http1

import (
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readOneRequest(t testing.TB, in string, cfg Config) (*Request, error) {
	t.Helper()
	sc := NewPool(cfg).NewServerConn(newMemConn(in))
	var req Request
	err := sc.ReadRequest(&req)
	return &req, err
}

func TestReadRequestHead(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want reqSummary
	}{{
		name: "origin form with query",
		in:   "GET /a/b?x=1&y HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/a/b?x=1&y", Path: "/a/b", Query: "x=1&y", HasQuery: true,
			Authority: "example.com", Minor: 1, Headers: []string{"Host: example.com", "User-Agent: t"}},
	}, {
		name: "empty query keeps the question mark",
		in:   "GET /a? HTTP/1.1\r\nHost: h\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/a?", Path: "/a", HasQuery: true, Authority: "h", Minor: 1,
			Headers: []string{"Host: h"}},
	}, {
		name: "absolute form authority wins over Host",
		in:   "GET http://svc.ns:9080/p?q HTTP/1.1\r\nHost: other\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "http://svc.ns:9080/p?q", Path: "/p", Query: "q", HasQuery: true,
			Authority: "svc.ns:9080", Minor: 1, Headers: []string{"Host: other"}},
	}, {
		name: "absolute form without path",
		in:   "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "http://h", Path: "/", Authority: "h", Minor: 1, Headers: []string{"Host: h"}},
	}, {
		name: "asterisk form",
		in:   "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
		want: reqSummary{Method: "OPTIONS", Target: "*", Path: "*", Authority: "h", Minor: 1, Headers: []string{"Host: h"}},
	}, {
		name: "connect authority form",
		in:   "CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n",
		want: reqSummary{Method: "CONNECT", Target: "db:5432", Path: "db:5432", Authority: "db:5432", Minor: 1,
			Headers: []string{"Host: db:5432"}},
	}, {
		name: "leading empty lines are skipped, OWS trimmed, case kept",
		in:   "\r\n\r\nPOST /u HTTP/1.1\r\nhOsT:h\r\nX-A: \t v \t\r\ncontent-LENGTH: 5\r\n\r\n",
		want: reqSummary{Method: "POST", Target: "/u", Path: "/u", Authority: "h", Minor: 1, ContentLength: 5, HasBody: true,
			Headers: []string{"hOsT: h", "X-A: v", "content-LENGTH: 5"}},
	}, {
		name: "identical content-length values merge",
		in:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\n",
		want: reqSummary{Method: "POST", Target: "/", Path: "/", Authority: "h", Minor: 1, ContentLength: 3, HasBody: true,
			Headers: []string{"Host: h", "Content-Length: 3, 3", "Content-Length: 3"}},
	}, {
		name: "chunked",
		in:   "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n",
		want: reqSummary{Method: "POST", Target: "/", Path: "/", Authority: "h", Minor: 1, ContentLength: -1, HasBody: true,
			Headers: []string{"Host: h", "Transfer-Encoding: Chunked"}},
	}, {
		name: "HTTP/1.0 closes by default, no Host needed",
		in:   "GET / HTTP/1.0\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/", Path: "/", Minor: 0, Close: true},
	}, {
		name: "HTTP/1.0 keep-alive",
		in:   "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/", Path: "/", Minor: 0, Headers: []string{"Connection: Keep-Alive"}},
	}, {
		name: "HTTP/1.1 connection close among options",
		in:   "GET / HTTP/1.1\r\nHost: h\r\nConnection: x-a, CLOSE\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/", Path: "/", Authority: "h", Minor: 1, Close: true,
			Headers: []string{"Host: h", "Connection: x-a, CLOSE"}},
	}, {
		name: "HTTP/1.2 is treated as 1.1",
		in:   "GET / HTTP/1.2\r\nHost: h\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/", Path: "/", Authority: "h", Minor: 1, Headers: []string{"Host: h"}},
	}, {
		name: "expect 100-continue",
		in:   "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n",
		want: reqSummary{Method: "PUT", Target: "/", Path: "/", Authority: "h", Minor: 1, ContentLength: 1, HasBody: true,
			Expect: true, Headers: []string{"Host: h", "Expect: 100-Continue", "Content-Length: 1"}},
	}, {
		name: "websocket upgrade",
		in:   "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/ws", Path: "/ws", Authority: "h", Minor: 1, Upgrade: "websocket",
			Headers: []string{"Host: h", "Connection: Upgrade", "Upgrade: websocket"}},
	}, {
		name: "h2c upgrade is ignored",
		in:   "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAA\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/", Path: "/", Authority: "h", Minor: 1,
			Headers: []string{"Host: h", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAA"}},
	}, {
		name: "upgrade without connection upgrade is not an upgrade",
		in:   "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/", Path: "/", Authority: "h", Minor: 1,
			Headers: []string{"Host: h", "Upgrade: websocket"}},
	}, {
		name: "obs-text in value and target",
		in:   "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\nX: \xff\r\n\r\n",
		want: reqSummary{Method: "GET", Target: "/caf\xc3\xa9", Path: "/caf\xc3\xa9", Authority: "h", Minor: 1,
			Headers: []string{"Host: h", "X: \xff"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := readOneRequest(t, tt.in, Config{})
			if err != nil {
				t.Fatalf("ReadRequest: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarizeRequest(req)); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadRequestRejects(t *testing.T) {
	malformed := &errSummary{Side: Downstream, Kind: Malformed, Status: 400}
	framing := &errSummary{Side: Downstream, Kind: Framing, Status: 400}
	tests := []struct {
		name string
		in   string
		cfg  Config
		want *errSummary
	}{
		{"bare LF ends line", "GET / HTTP/1.1\nHost: h\r\n\r\n", Config{}, malformed},
		{"bare LF in fields", "GET / HTTP/1.1\r\nHost: h\n\r\n", Config{}, malformed},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", Config{}, malformed},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", Config{}, malformed},
		{"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", Config{}, malformed},
		{"empty field name", "GET / HTTP/1.1\r\n: h\r\n\r\n", Config{}, malformed},
		{"no colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", Config{}, malformed},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", Config{}, malformed},
		{"bad name char", "GET / HTTP/1.1\r\nHo(st: h\r\n\r\n", Config{}, malformed},
		{"double space in request line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"control in target", "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"bad method", "G@T / HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"relative target", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"userinfo in absolute target", "GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
		{"space in Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", Config{}, malformed},
		{"slash in Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", Config{}, malformed},
		{"userinfo in Host", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", Config{}, malformed},
		{"missing Host on 1.1", "GET / HTTP/1.1\r\n\r\n", Config{}, malformed},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Config{}, malformed},
		{"HTTP/2.0 line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", Config{},
			&errSummary{Side: Downstream, Kind: UnsupportedVersion, Status: 505}},
		{"CL and TE", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", Config{}, framing},
		{"TE and CL", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", Config{}, framing},
		{"conflicting CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", Config{}, framing},
		{"conflicting CL list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\n", Config{}, framing},
		{"signed CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\n", Config{}, framing},
		{"hex CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x3\r\n\r\n", Config{}, framing},
		{"empty CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", Config{}, framing},
		{"huge CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9999999999999999999\r\n\r\n", Config{}, framing},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Config{}, framing},
		{"gzip then chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Config{},
			&errSummary{Side: Downstream, Kind: UnsupportedTransferEncoding, Status: 501}},
		{"chunked not last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", Config{},
			&errSummary{Side: Downstream, Kind: UnsupportedTransferEncoding, Status: 501}},
		{"chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", Config{},
			&errSummary{Side: Downstream, Kind: UnsupportedTransferEncoding, Status: 501}},
		{"empty TE", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", Config{},
			&errSummary{Side: Downstream, Kind: UnsupportedTransferEncoding, Status: 501}},
		{"head too large", "GET / HTTP/1.1\r\nHost: h\r\nX: " + string(make([]byte, 300)) + "\r\n\r\n",
			Config{MaxHeadBytes: 256}, &errSummary{Side: Downstream, Kind: HeadTooLarge, Status: 431}},
		{"too many fields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n",
			Config{MaxHeaders: 2}, &errSummary{Side: Downstream, Kind: TooManyHeaders, Status: 431}},
		{"too many empty lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", Config{}, malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readOneRequest(t, tt.in, tt.cfg)
			if diff := cmp.Diff(tt.want, summarizeErr(err)); diff != "" {
				t.Errorf("error %v (-want +got):\n%s", err, diff)
			}
		})
	}
}

func TestReadRequestEOF(t *testing.T) {
	if _, err := readOneRequest(t, "", Config{}); err != io.EOF {
		t.Errorf("empty input: got %v, want io.EOF", err)
	}
	_, err := readOneRequest(t, "GET / HTT", Config{})
	var ioe *IOError
	if !errorsAs(err, &ioe) || ioe.Err != io.ErrUnexpectedEOF || ioe.Side != Downstream {
		t.Errorf("truncated head: got %v, want downstream unexpected EOF", err)
	}
}
