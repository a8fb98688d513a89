package http1

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// loopbackPair is tcpPair, closed when the test ends.
func loopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	client, server = tcpPair(t)
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// serveParts reads one request on sc and answers it through the parts API:
// the request body is read on another goroutine while the response is
// written, as an HTTP/2 relay does.
func serveParts(t *testing.T, sc *ServerConn, req *Request, answer func(body string, trailers *Headers) (*ResponseHead, string, []Field)) error {
	t.Helper()
	if err := sc.ReadRequest(req); err != nil {
		return err
	}
	br, err := sc.RequestBody()
	if err != nil {
		return err
	}
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(br)
		got <- string(b)
	}()
	body := <-got
	h, respBody, trailers := answer(body, req.Trailers())
	w, err := sc.StartResponse(h, nil)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, respBody); err != nil {
		return err
	}
	return w.Finish(trailers)
}

func TestServerPartsStreamBodiesAndTrailers(t *testing.T) {
	client, server := loopbackPair(t)
	sc := NewPool(Config{}).NewServerConn(server)
	defer sc.Close()
	io.WriteString(client, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n")
	var req Request
	err := serveParts(t, sc, &req, func(body string, tr *Headers) (*ResponseHead, string, []Field) {
		sum, _ := tr.Get("x-sum")
		return &ResponseHead{Status: 200, ContentLength: -1, Trailers: true,
			Fields: []Field{{"Content-Type", "text/plain"}, {"Connection", "x"}, {"Trailer", "Grpc-Status"}}}, body + "/" + string(sum), []Field{{"Grpc-Status", "0"}, {"Content-Length", "1"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	cr := bufio.NewReader(client)
	resp, err := http.ReadResponse(cr, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "abcde/5" || resp.Trailer.Get("Grpc-Status") != "0" || resp.Trailer.Get("Content-Length") != "" {
		t.Errorf("body %q trailers %v, want abcde/5 with Grpc-Status: 0 only", body, resp.Trailer)
	}
	if resp.Header.Get("Connection") != "" || resp.TransferEncoding == nil || resp.Close {
		t.Errorf("head: Connection %q, Transfer-Encoding %v, close %v: want chunked keep-alive without the hop-by-hop field", resp.Header.Get("Connection"), resp.TransferEncoding, resp.Close)
	}
	// The connection serves another request: a length-framed response.
	io.WriteString(client, "GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
	err = serveParts(t, sc, &req, func(string, *Headers) (*ResponseHead, string, []Field) {
		return &ResponseHead{Status: 404, ContentLength: 4}, "nope", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.ReadResponse(cr, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || string(body) != "nope" || resp.ContentLength != 4 {
		t.Errorf("second response %d %q (length %d), want 404 nope (4)", resp.StatusCode, body, resp.ContentLength)
	}
}

// What BufferBody kept is read first, then the rest of the body.
func TestRequestBodyAfterBufferBody(t *testing.T) {
	client, server := loopbackPair(t)
	sc := NewPool(Config{}).NewServerConn(server)
	defer sc.Close()
	io.WriteString(client, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	if complete, err := req.BufferBody(4); complete || err != nil {
		t.Fatalf("BufferBody(4) = %v, %v; want incomplete", complete, err)
	}
	br, err := sc.RequestBody()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(br)
	if string(b) != "0123456789" || err != nil || !br.Done() {
		t.Errorf("body %q, %v (done %v); want the whole body", b, err, br.Done())
	}
}

// Close interrupts a Read waiting for a client that stalls mid-body, and the
// connection then refuses another request.
func TestRequestBodyCloseInterruptsBlockedRead(t *testing.T) {
	client, server := loopbackPair(t)
	sc := NewPool(Config{}).NewServerConn(server)
	defer sc.Close()
	io.WriteString(client, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	br, err := sc.RequestBody()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(br)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the reader block on the socket
	closed := make(chan struct{})
	go func() {
		br.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(ioWait):
		t.Fatal("Close did not interrupt the blocked Read")
	}
	if err := <-done; err == nil {
		t.Error("the interrupted read returned no error")
	}
	var ioe *IOError
	if !errors.As(br.Err(), &ioe) || ioe.Side != Downstream {
		t.Errorf("Err() = %v, want a downstream read error", br.Err())
	}
	if err := sc.ReadRequest(&req); err != io.EOF {
		t.Errorf("ReadRequest after an unfinished body = %v, want io.EOF (close)", err)
	}
}

func TestStartResponseFraming(t *testing.T) {
	tests := []struct {
		name, request string
		head          ResponseHead
		body          string
		want          string
	}{
		{"HEAD keeps the length, drops the body", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
			ResponseHead{Status: 200, ContentLength: 7}, "ignored",
			"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"},
		{"204 has no body", "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			ResponseHead{Status: 204, ContentLength: -1}, "",
			"HTTP/1.1 204 No Content\r\n\r\n"},
		{"HTTP/1.0 client, unknown length: close-delimited", "GET / HTTP/1.0\r\n\r\n",
			ResponseHead{Status: 200, ContentLength: -1}, "stream",
			"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstream"},
		{"HTTP/1.0 keep-alive with a length", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			ResponseHead{Status: 200, ContentLength: 2, Trailers: true}, "ok",
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"},
		{"framing fields from the source are dropped", "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			ResponseHead{Status: 200, ContentLength: 2, Fields: []Field{{"Transfer-Encoding", "chunked"}, {"Keep-Alive", "x"}, {"X-A", "1"}}}, "ok",
			"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := loopbackPair(t)
			sc := NewPool(Config{}).NewServerConn(server)
			defer sc.Close()
			io.WriteString(client, tt.request)
			var req Request
			if err := sc.ReadRequest(&req); err != nil {
				t.Fatal(err)
			}
			w, err := sc.StartResponse(&tt.head, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, tt.body)
			if err := w.Finish(nil); err != nil {
				t.Fatal(err)
			}
			if err := expectBytes(client, tt.want); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestStartResponseLengthMismatch(t *testing.T) {
	client, server := loopbackPair(t)
	sc := NewPool(Config{}).NewServerConn(server)
	defer sc.Close()
	io.WriteString(client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	w, err := sc.StartResponse(&ResponseHead{Status: 200, ContentLength: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "abcdef"); !errors.Is(err, ErrBodyLength) {
		t.Errorf("writing 6 bytes of 5: %v, want ErrBodyLength", err)
	}
	if sc.KeepAlive() {
		t.Error("a response that broke its framing leaves the connection reusable")
	}
}

// AbortResponse before any byte left lets a local reply take the response's
// place on the same connection.
func TestAbortResponseBeforeCommit(t *testing.T) {
	client, server := loopbackPair(t)
	sc := NewPool(Config{}).NewServerConn(server)
	defer sc.Close()
	io.WriteString(client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	w, err := sc.StartResponse(&ResponseHead{Status: 200, ContentLength: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "partial")
	if !sc.AbortResponse() {
		t.Fatal("AbortResponse = false with nothing sent")
	}
	sc.WriteLocal(502, nil, "text/plain", []byte("bad gateway"))
	want := "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nbad gateway"
	if err := expectBytes(client, want); err != nil {
		t.Error(err)
	}
	if !sc.KeepAlive() {
		t.Error("connection closed although the client got a whole response")
	}
}

func TestStartResponseRejectsBadFields(t *testing.T) {
	_, server := loopbackPair(t)
	sc := NewPool(Config{}).NewServerConn(server)
	defer sc.Close()
	for _, h := range []ResponseHead{
		{Status: 200, Fields: []Field{{"X", "a\r\nInjected: 1"}}},
		{Status: 200, Fields: []Field{{"Bad Name", "1"}}},
		{Status: 101},
	} {
		if _, err := sc.StartResponse(&h, nil); !errors.Is(err, ErrBadField) {
			t.Errorf("StartResponse(%+v) = %v, want ErrBadField", h, err)
		}
	}
	if strings.Contains(string(sc.scratch), "Injected") && sc.bw.Buffered() > 0 {
		t.Error("a rejected head was buffered")
	}
}
