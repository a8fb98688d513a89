package http1

import (
	"errors"
	"testing"
)

// FuzzRequestParts: whatever StartRequest accepts is one well-formed head
// (parsed back to the same method, target and authority, the field intact,
// nothing injected); whatever it refuses writes nothing.
func FuzzRequestParts(f *testing.F) {
	f.Add("GET", "/a?b", "svc:80", "X-A", "1", int64(0))
	f.Add("POST", "/", "svc", "Te", "trailers", int64(-1))
	f.Add("PUT", "/x", "h", "X", "a\r\nInjected: 1", int64(5))
	f.Add("GET", "/ HTTP/1.1\r\nX: y", "h", "Host", "evil", int64(0))
	f.Fuzz(func(t *testing.T, method, target, authority, name, value string, length int64) {
		out := &memConn{}
		uc := NewPool(Config{}).NewClientConn(out)
		w, err := uc.StartRequest(&RequestHead{Method: method, Target: target, Authority: authority,
			Fields: []Field{{name, value}}, ContentLength: length})
		if err != nil {
			if !errors.Is(err, ErrBadField) || out.w.Len() != 0 || uc.bw.Buffered() != 0 {
				t.Fatalf("refused with %v, wrote %q", err, out.w.Bytes())
			}
			return
		}
		w.Flush()
		req, err := readOneRequest(t, out.w.String(), Config{MaxHeadBytes: 1 << 20, MaxHeaders: 1000})
		if err != nil {
			t.Fatalf("our head does not parse: %v\n%q", err, out.w.String())
		}
		if string(req.Method()) != method || string(req.Target()) != target || string(req.Authority()) != authority {
			t.Fatalf("head changed the request line: %q", out.w.String())
		}
		if lookupKnown([]byte(name)) == knownNone && req.Headers().Len() != 3 && req.Headers().Len() != 2 {
			t.Fatalf("%d fields for one (plus Host and framing): %q", req.Headers().Len(), out.w.String())
		}
		if v, ok := req.Header(name); lookupKnown([]byte(name)) == knownNone && (!ok || string(v) != trimOWSString(value)) {
			t.Fatalf("field %q = %q, %v; want %q", name, v, ok, value)
		}
	})
}

// FuzzResponseParts: whatever StartResponse accepts parses back to the
// same status with the field intact.
func FuzzResponseParts(f *testing.F) {
	f.Add(200, "X-A", "1", int64(3), false)
	f.Add(204, "Trailer", "grpc-status", int64(-1), true)
	f.Add(302, "Location", "/a\r\nSet-Cookie: x", int64(0), false)
	f.Fuzz(func(t *testing.T, status int, name, value string, length int64, trailers bool) {
		sc := NewPool(Config{}).NewServerConn(newMemConn("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
		var req Request
		if err := sc.ReadRequest(&req); err != nil {
			t.Fatal(err)
		}
		out := sc.wire.conn.(*memConn)
		w, err := sc.StartResponse(&ResponseHead{Status: status, Fields: []Field{{name, value}}, ContentLength: length, Trailers: trailers}, nil)
		if err != nil {
			if !errors.Is(err, ErrBadField) || sc.bw.Buffered() != 0 {
				t.Fatalf("refused with %v, buffered %d bytes", err, sc.bw.Buffered())
			}
			return
		}
		w.Flush()
		resp, err := readOneResponse(t, out.w.String(), "GET", false)
		if err != nil {
			t.Fatalf("our head does not parse: %v\n%q", err, out.w.String())
		}
		if resp.Status() != status {
			t.Fatalf("status %d, want %d: %q", resp.Status(), status, out.w.String())
		}
		if v, ok := resp.Header(name); lookupKnown([]byte(name)) == knownNone && (!ok || string(v) != trimOWSString(value)) {
			t.Fatalf("field %q = %q, %v; want %q", name, v, ok, value)
		}
	})
}

func trimOWSString(s string) string { return string(trimOWS([]byte(s))) }
