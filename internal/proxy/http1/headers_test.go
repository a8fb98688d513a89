package http1

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeaderLookups(t *testing.T) {
	req, err := readOneRequest(t, "GET / HTTP/1.1\r\nHost: h\r\nX-Multi: a\r\nx-multi: b\r\nContent-Type: text/plain\r\n\r\n", Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, want string
		ok         bool
	}{
		{"content-type", "text/plain", true},
		{"CONTENT-TYPE", "text/plain", true},
		{"x-multi", "a", true},
		{"x-mult", "", false},
		{"host", "h", true},
	} {
		v, ok := req.Header(tt.name)
		if string(v) != tt.want || ok != tt.ok {
			t.Errorf("Header(%q) = %q, %v; want %q, %v", tt.name, v, ok, tt.want, tt.ok)
		}
	}
	var values []string
	for v := range req.Headers().Values("X-MULTI") {
		values = append(values, string(v))
	}
	if diff := cmp.Diff([]string{"a", "b"}, values); diff != "" {
		t.Errorf("Values (-want +got):\n%s", diff)
	}
	if !req.Headers().Has("x-multi") || req.Headers().Has("nope") {
		t.Error("Has")
	}
	if n := testing.AllocsPerRun(100, func() { req.Header("Content-Type") }); n != 0 {
		t.Errorf("Header lookup allocates %v times", n)
	}
}

func TestAppendField(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        string
		ok          bool
	}{
		{"x-request-id", "abc", "x-request-id: abc\r\n", true},
		{"x-a", "", "x-a: \r\n", true},
		{"x a", "b", "", false},
		{"x-a", "b\r\nx-evil: 1", "", false},
		{"", "b", "", false},
	} {
		got, ok := AppendField(nil, []byte(tt.name), []byte(tt.value))
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("AppendField(%q, %q) = %q, %v", tt.name, tt.value, got, ok)
		}
	}
}

func TestTrailerLimits(t *testing.T) {
	long := "x-t: " + string(slices.Repeat([]byte("v"), 300)) + "\r\n"
	tests := []struct {
		name, body string
		want       *errSummary
	}{
		{"fits", "1\r\na\r\n0\r\nx-t: 1\r\n\r\n", nil},
		{"too large", "1\r\na\r\n0\r\n" + long + "\r\n", &errSummary{Side: Upstream, Kind: HeadTooLarge, Status: 502}},
		{"too many", "0\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n", &errSummary{Side: Upstream, Kind: TooManyHeaders, Status: 502}},
		{"bare LF in trailer", "0\r\na: 1\n\r\n", &errSummary{Side: Upstream, Kind: Malformed, Status: 502}},
		{"quoted ext", "1;a=\"x\\\"y\"\r\na\r\n0\r\n\r\n", nil},
		{"unterminated quoted ext", "1;a=\"x\r\na\r\n0\r\n\r\n", &errSummary{Side: Upstream, Kind: Malformed, Status: 502}},
		{"data longer than size", "1\r\nab\r\n0\r\n\r\n", &errSummary{Side: Upstream, Kind: Malformed, Status: 502}},
		{"ends early", "5\r\nab", &errSummary{Side: Upstream, Kind: Framing, Status: 502}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := NewPool(Config{MaxHeadBytes: 256, MaxHeaders: 2})
			uc := pool.NewClientConn(newMemConn("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + tt.body))
			var resp Response
			if err := uc.ReadResponse(&resp, nil); err != nil {
				t.Fatal(err)
			}
			err := uc.DiscardBody(1 << 20)
			if diff := cmp.Diff(tt.want, summarizeErr(err)); diff != "" {
				t.Errorf("error %v (-want +got):\n%s", err, diff)
			}
		})
	}
}
