package http1

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
)

// httpUpstream is a net/http HTTP/1.1 server on loopback.
func httpUpstream(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

func dialClientConn(t *testing.T, addr string) *ClientConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	uc := NewPool(Config{}).NewClientConn(nc)
	t.Cleanup(func() { uc.Close() })
	return uc
}

func TestClientPartsRequestWithTrailersAndReuse(t *testing.T) {
	addr := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Trailer", "X-Echo")
		fmt.Fprintf(w, "%s %s %s te=%s chunked=%v", r.Method, r.URL, body, r.Header.Get("Te"), len(r.TransferEncoding) > 0)
		w.Header().Set("X-Echo", r.Trailer.Get("X-Sum"))
	})
	uc := dialClientConn(t, addr)
	for i := 0; i < 2; i++ {
		w, err := uc.StartRequest(&RequestHead{Method: "POST", Target: "/p?q=1", Authority: "svc", ContentLength: 5, Trailers: true,
			Fields: []Field{{"Te", "trailers"}, {"Trailer", "X-Sum"}, {"Connection", "close"}}})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "ab")
		io.WriteString(w, "cde")
		if err := w.Finish([]Field{{"X-Sum", "5"}}); err != nil {
			t.Fatal(err)
		}
		var resp Response
		if err := uc.ReadResponseTo(&resp, "POST"); err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(uc.ResponseBody())
		if err != nil {
			t.Fatal(err)
		}
		echo, _ := resp.Trailers().Get("x-echo")
		if want := "POST /p?q=1 abcde te=trailers chunked=true"; string(body) != want || string(echo) != "5" {
			t.Errorf("exchange %d: body %q trailer %q, want %q and 5", i, body, echo, want)
		}
		if !uc.Reusable() {
			t.Fatalf("exchange %d: connection not reusable after a complete exchange", i)
		}
	}
}

// The request body is written on one goroutine while the response streams
// back on another, in lock-step: neither direction waits for the other to
// end (as a relay of an HTTP/2 stream needs).
func TestClientPartsFullDuplex(t *testing.T) {
	addr := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		http.NewResponseController(w).EnableFullDuplex()
		w.WriteHeader(200)
		br := bufio.NewReader(r.Body)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			io.WriteString(w, "echo "+line)
			w.(http.Flusher).Flush()
		}
	})
	uc := dialClientConn(t, addr)
	w, err := uc.StartRequest(&RequestHead{Method: "POST", Target: "/", Authority: "svc", ContentLength: -1})
	if err != nil {
		t.Fatal(err)
	}
	next := make(chan int)
	writeErr := make(chan error, 1)
	go func() {
		for i := range next {
			if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
				writeErr <- err
				return
			}
			if err := w.Flush(); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- w.Finish(nil)
	}()
	next <- 0
	var resp Response
	if err := uc.ReadResponseTo(&resp, "POST"); err != nil {
		t.Fatal(err)
	}
	body := bufio.NewReader(uc.ResponseBody())
	for i := 0; i < 5; i++ {
		if i > 0 {
			next <- i
		}
		line, err := body.ReadString('\n')
		if want := fmt.Sprintf("echo line %d\n", i); line != want || err != nil {
			t.Fatalf("piece %d: %q, %v; want %q", i, line, err, want)
		}
	}
	close(next)
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	if rest, err := io.ReadAll(body); len(rest) != 0 || err != nil {
		t.Errorf("after the request ended: %q, %v", rest, err)
	}
	if !uc.Reusable() {
		t.Error("connection not reusable after both directions ended")
	}
}

func TestClientPartsHEADAndUnfinishedBody(t *testing.T) {
	addr := httpUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "42")
		w.WriteHeader(200)
	})
	uc := dialClientConn(t, addr)
	w, err := uc.StartRequest(&RequestHead{Method: "HEAD", Target: "/", Authority: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(nil); err != nil {
		t.Fatal(err)
	}
	var resp Response
	if err := uc.ReadResponseTo(&resp, "HEAD"); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(uc.ResponseBody()); len(b) != 0 || err != nil || resp.ContentLength() != 42 {
		t.Errorf("HEAD: body %q, %v, length %d; want none and 42", b, err, resp.ContentLength())
	}
	if !uc.Reusable() {
		t.Fatal("not reusable after HEAD")
	}
	// A request whose body was never finished leaves the connection unusable.
	w, err = uc.StartRequest(&RequestHead{Method: "PUT", Target: "/", Authority: "svc", ContentLength: 10})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "short")
	if err := w.Finish(nil); !errors.Is(err, ErrBodyLength) {
		t.Errorf("Finish after 5 of 10 bytes: %v, want ErrBodyLength", err)
	}
	if uc.Reusable() {
		t.Error("reusable after an incomplete request body")
	}
}

func TestStartRequestRejectsBadParts(t *testing.T) {
	uc := dialClientConn(t, httpUpstream(t, func(http.ResponseWriter, *http.Request) {}))
	for _, h := range []RequestHead{
		{Method: "GET", Target: "/a b", Authority: "svc"},
		{Method: "G T", Target: "/", Authority: "svc"},
		{Method: "GET", Target: "/", Authority: "svc\r\nX: 1"},
		{Method: "GET", Target: "", Authority: "svc"},
		{Method: "GET", Target: "0", Authority: "svc"}, // not origin-form (found by FuzzRequestParts)
		{Method: "GET", Target: "*", Authority: "svc"},
		{Method: "GET", Target: "/", Authority: "svc", Fields: []Field{{"X", "1\n2"}}},
	} {
		if _, err := uc.StartRequest(&h); !errors.Is(err, ErrBadField) {
			t.Errorf("StartRequest(%+v) = %v, want ErrBadField", h, err)
		}
	}
}
