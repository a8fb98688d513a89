package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// earlyUpstream answers every request with 413 as soon as it has read the
// head, and closes without reading the body.
func earlyUpstream(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(c)
			for line, err := br.ReadString('\n'); err == nil && line != "\r\n"; line, err = br.ReadString('\n') {
			}
			io.WriteString(c, "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo big!")
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// An upstream that answers before reading the whole request body (413, then
// close) has its answer relayed to the client, not replaced by a 503.
func TestHTTP1EarlyUpstreamResponse(t *testing.T) {
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("be")))}, []*cluster.Config{staticCluster("be", cluster.HTTP1, earlyUpstream(t))}))
	c, err := net.Dial("tcp", p.addr("out"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	go func() {
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 16777216\r\n\r\n")
		c.Write(bytes.Repeat([]byte("z"), 16<<20))
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || string(body) != "too big!" {
		t.Errorf("got %d %q (%s), want the upstream's 413 too big!", resp.StatusCode, body, resp.Header.Get("x-loom-error"))
	}
}
