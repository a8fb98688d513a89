package proxy

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// h2RawPost sends, over h2c prior knowledge, a POST whose HEADERS carry
// content-length (when cl != "") without END_STREAM, then an empty DATA
// frame with END_STREAM (what several HTTP/2 clients and proxies send for
// an empty body). It returns the :status and how long it took.
func h2RawPost(t *testing.T, addr, cl string) (string, time.Duration) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	io.WriteString(c, http2.ClientPreface)
	fr := http2.NewFramer(c, c)
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if cl != "" {
		enc.WriteField(hpack.HeaderField{Name: "content-length", Value: cl})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
	fr.WriteData(1, true, nil)
	dec := hpack.NewDecoder(4096, nil)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return "no response: " + err.Error(), time.Since(start)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.HeadersFrame:
			fields, _ := dec.DecodeFull(f.HeaderBlockFragment())
			for _, hf := range fields {
				if hf.Name == ":status" {
					return hf.Value, time.Since(start)
				}
			}
		}
	}
}

// The route timeout (300 ms) must bound an HTTP/2 request with an empty
// body announced by content-length: 0 exactly as one without the field, on
// both cluster protocols. The upstream takes 3 s.
func TestRouteTimeoutEmptyH2BodyWithContentLength(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
		io.WriteString(w, "late")
	})
	h1, h2 := startBackend(t, slow), startH2C(t, slow)
	for _, be := range []struct {
		name  string
		proto cluster.Protocol
		addr  string
	}{{"h1 cluster", cluster.HTTP1, h1.addr}, {"h2 cluster", cluster.HTTP2, h2.addr}} {
		for _, cl := range []string{"", "0"} {
			t.Run(be.name+", content-length "+cl, func(t *testing.T) {
				r := to("be")
				r.Forward.Timeout = 300 * time.Millisecond
				p := startProxy(t, time.Second)
				p.apply(snap([]*listener.Config{httpListener("out", 0, routes(r))},
					[]*cluster.Config{staticCluster("be", be.proto, be.addr)}))
				status, took := h2RawPost(t, p.addr("out"), cl)
				if status != "504" || took > 2*time.Second {
					t.Errorf("got %s after %v, want 504 after about 300ms (route timeout)", status, took.Round(time.Millisecond))
				}
			})
		}
	}
}
