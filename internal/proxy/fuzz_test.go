package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

var downstreamSeeds = []string{
	"GET /h1/a?b=c HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /h2/a HTTP/1.1\r\nHost: x\r\n\r\n",
	"POST /h1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
	"POST /h2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
	"PUT /h2 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
	"GET /h1 HTTP/1.1\r\nHost: x\r\n\r\nGET /h2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	"HEAD /h2 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /h1 HTTP/1.0\r\n\r\n",
	"GET http://x/h2?q HTTP/1.1\r\nHost: y\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
	"GET /h1/ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
	"POST /h2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	"POST /h2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"GET /direct HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: te, x-drop\r\nX-Drop: 1\r\n\r\n",
}

// fuzzProxy is one data plane for a whole fuzz run: /h2 goes to an HTTP/2
// backend (the translated path), anything else to an HTTP/1.1 one, /direct
// is answered by the proxy.
func fuzzProxy(t testing.TB) string {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Len")
		n, _ := io.Copy(w, r.Body)
		w.Header().Set("X-Len", string(rune('0'+n%10)))
	})
	h1 := startBackendTB(t, echo, nil)
	h2 := startBackendTB(t, echo, h2cProtocols())
	rc := routes(
		&route.Route{Match: route.Match{Path: "/direct", CaseSensitive: true}, Direct: &route.DirectResponse{Status: 200, Body: []byte("direct")}},
		&route.Route{Match: route.Match{Path: "/h2", CaseSensitive: true}, Forward: &route.Forward{Clusters: []route.WeightedCluster{{Name: "h2", Weight: 1}}, TotalWeight: 1, Timeout: 5 * time.Second}},
		to("h1"),
	)
	l := httpListener("out", 0, rc)
	l.Chain.HTTP.StreamIdleTimeout = 2 * time.Second
	dp := newDataPlane(discardLogger(), time.Second)
	ctx, cancel := contextWithCancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		dp.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	dp.Apply(snap([]*listener.Config{l}, []*cluster.Config{staticCluster("h1", cluster.HTTP1, h1), staticCluster("h2", cluster.HTTP2, h2)}))
	return dp.server.Addr("out")
}

// startBackendTB is startBackend for fuzz targets (testing.TB).
func startBackendTB(t testing.TB, h http.Handler, protos *http.Protocols) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, Protocols: protos}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

// FuzzHTTP1Downstream sends arbitrary bytes to an HTTP listener, end to
// end: the proxy must not panic, whatever it sends back must be a sequence
// of well-formed HTTP/1.1 responses, and it must still serve a normal
// request afterwards.
func FuzzHTTP1Downstream(f *testing.F) {
	for _, s := range downstreamSeeds {
		f.Add([]byte(s))
	}
	addr := fuzzProxy(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		out := exchangeBytes(t, addr, in)
		if bytes.HasPrefix(in, []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
			out = nil // HTTP/2, answered by the HTTP/2 server
		}
		if !bytes.HasPrefix(out, []byte("HTTP/1.1 ")) && len(out) > 0 {
			t.Fatalf("reply is not HTTP/1.1: %q", clip(out))
		}
		if err := readResponses(out); err != nil {
			t.Fatalf("malformed reply: %v\nin:  %q\nout: %q", err, clip(in), clip(out))
		}
		if got := exchangeBytes(t, addr, []byte("GET /direct HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); !bytes.HasSuffix(got, []byte("\r\n\r\ndirect")) {
			t.Fatalf("proxy no longer serves after %q: %q", clip(in), clip(got))
		}
	})
}

// exchangeBytes writes in on a fresh connection, half-closes it and reads
// until the proxy closes or goes quiet.
func exchangeBytes(t *testing.T, addr string, in []byte) []byte {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(4 * time.Second))
	c.Write(in)
	c.(*net.TCPConn).CloseWrite()
	out, _ := io.ReadAll(c)
	return out
}

// readResponses parses b as HTTP/1.1 responses (bodies read in full); a
// truncated last response (the proxy cut a connection) is accepted.
func readResponses(b []byte) error {
	br := bufio.NewReader(bytes.NewReader(b))
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return nil
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func clip(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}
