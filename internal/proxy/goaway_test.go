package proxy

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// goawayUpstream is an h2c server that answers the first stream of each
// connection and answers the next one with a graceful GOAWAY naming the
// first as the last it processed: the second request was never seen.
func goawayUpstream(t *testing.T) (string, *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serveOneThenGoaway(c, &served)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String(), &served
}

func serveOneThenGoaway(c net.Conn, served *atomic.Int64) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, len(http2.ClientPreface))); err != nil {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.WriteSettings()
	first := uint32(0)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.HeadersFrame:
			if first != 0 {
				fr.WriteGoAway(first, http2.ErrCodeNo, []byte("going away"))
				continue
			}
			first = f.StreamID
			served.Add(1) // before answering: the test reads it once answered
			var hb bytes.Buffer
			enc := hpack.NewEncoder(&hb)
			enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
			enc.WriteField(hpack.HeaderField{Name: "content-length", Value: "2"})
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: hb.Bytes(), EndHeaders: true})
			fr.WriteData(f.StreamID, true, []byte("ok"))
		}
	}
}

// Requests an HTTP/2 upstream refused with a graceful GOAWAY (it never
// processed them) are sent again on a new connection, with no retry policy.
func TestH2UpstreamGoawayReplayed(t *testing.T) {
	addr, served := goawayUpstream(t)
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("h2")))}, []*cluster.Config{staticCluster("h2", cluster.HTTP2, addr)}))
	c := newClient(t)
	for i := 0; i < 10; i++ {
		if code, body, hdr := get(t, c, "http://"+p.addr("out")+"/"); code != 200 || body != "ok" {
			t.Fatalf("request %d: %d %q (%s)", i, code, body, hdr.Get("x-loom-error"))
		}
	}
	if served.Load() != 10 {
		t.Errorf("upstream served %d requests, want 10", served.Load())
	}
}
