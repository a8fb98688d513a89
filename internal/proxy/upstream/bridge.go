package upstream

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// h1Bridge carries requests from HTTP/2 clients to an HTTP/1.1 host. The
// http1 codec relays codec-to-codec only, so this rare translation path uses
// net/http's HTTP/1.1 client, with its own per-host keep-alive pool.
type h1Bridge struct {
	once sync.Once
	t    *http.Transport
}

// RoundTripH1 sends a net/http request to an HTTP/1.1 host, for HTTP/2
// downstream requests routed to an HTTP/1.1 cluster.
func (c *Cluster) RoundTripH1(ctx context.Context, h *Host, req *http.Request) (*http.Response, error) {
	h.bridge.once.Do(func() { h.bridge.t = c.newBridgeTransport(h) })
	req.URL.Host = h.Addr.String()
	return h.bridge.t.RoundTrip(req)
}

func (c *Cluster) newBridgeTransport(h *Host) *http.Transport {
	var protos http.Protocols
	protos.SetHTTP1(true)
	return &http.Transport{
		Protocols:           &protos,
		DisableCompression:  true,
		MaxIdleConnsPerHost: defaultLimit,
		IdleConnTimeout:     c.idleTimeout(),
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return c.dial(ctx, h.Addr.String())
		},
	}
}

func (b *h1Bridge) close() {
	if b.t != nil {
		b.t.CloseIdleConnections()
	}
}
