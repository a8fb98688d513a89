package upstream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// h2Pool keeps one host's HTTP/2 (prior-knowledge h2c) connections. Streams
// share a connection until it is full or going away; then another is dialed.
type h2Pool struct {
	host    *Host
	cluster *Cluster
	mu      sync.Mutex
	conns   []*http.ClientConn
	closed  bool
	t       *http.Transport
}

func newH2Pool(h *Host, c *Cluster) *h2Pool {
	p := &h2Pool{host: h, cluster: c}
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	p.t = &http.Transport{
		Protocols:          &protos,
		DialContext:        p.dialSocket,
		DisableCompression: true, // a proxy passes encodings through untouched
		IdleConnTimeout:    c.idleTimeout(),
		HTTP2: &http.HTTP2Config{
			SendPingTimeout: 30 * time.Second,
			PingTimeout:     10 * time.Second,
		},
	}
	return p
}

// RoundTrip sends req to h over HTTP/2 and returns the response, whose body
// streams and whose Trailer fills in when the body is read to the end.
//
// A request the connection never delivered — the server's graceful GOAWAY
// named an earlier stream as its last, or the connection became unusable
// before the request went out — is sent again once on another connection
// (using req.GetBody for a body), as net/http's Transport does: the server
// never saw it, and http.ClientConn leaves that to its user.
func (c *Cluster) RoundTrip(ctx context.Context, h *Host, req *http.Request) (*http.Response, error) {
	for again := false; ; again = true {
		cc, err := h.h2.get(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := cc.RoundTrip(req)
		if err == nil || again || !Unprocessed(err) {
			return resp, err
		}
		if hasBody(req) {
			if req.GetBody == nil {
				return nil, err
			}
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, err
			}
			req.Body = body
		}
		c.Stats.RqReusedRetry.Inc()
	}
}

// Unprocessed reports whether an HTTP/2 round-trip error says the server
// never processed the request: a graceful GOAWAY that excludes its stream,
// a connection unusable before it was sent, or REFUSED_STREAM. net/http
// does not export these errors; their text is stable.
func Unprocessed(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "received Server's graceful shutdown GOAWAY") ||
		strings.Contains(msg, "client conn not usable") ||
		strings.Contains(msg, "REFUSED_STREAM")
}

// get returns a connection with a reserved stream, dialing one if needed.
func (p *h2Pool) get(ctx context.Context) (*http.ClientConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrPoolClosed
	}
	for _, cc := range p.conns {
		if cc.Reserve() == nil {
			return cc, nil
		}
	}
	p.prune()
	// Concurrent callers wait on p.mu meanwhile, which is what they would do
	// anyway: there is no other connection to use.
	cc, err := p.t.NewClientConn(ctx, "http", p.host.Addr.String())
	if err != nil {
		var ce *ConnectError
		if errors.As(err, &ce) || errors.Is(err, ErrOverflow) {
			return nil, err
		}
		return nil, &ConnectError{Host: p.host.Addr.String(), Err: err}
	}
	if err := cc.Reserve(); err != nil {
		cc.Close()
		return nil, &ConnectError{Host: p.host.Addr.String(), Err: err}
	}
	p.conns = append(p.conns, cc)
	return cc, nil
}

// dialSocket opens the TCP connection under a new ClientConn.
func (p *h2Pool) dialSocket(ctx context.Context, _, _ string) (net.Conn, error) {
	return p.cluster.dial(ctx, p.host)
}

// prune drops connections that are closed (by GOAWAY, error or idle timeout).
func (p *h2Pool) prune() {
	kept := p.conns[:0]
	for _, cc := range p.conns {
		if cc.Err() == nil {
			kept = append(kept, cc)
		}
	}
	clear(p.conns[len(kept):])
	p.conns = kept
}

func (p *h2Pool) evict() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prune()
}

// close stops new streams; a connection closes as soon as its last running
// stream ends.
func (p *h2Pool) close() {
	p.mu.Lock()
	conns := p.conns
	p.conns, p.closed = nil, true
	p.mu.Unlock()
	for _, cc := range conns {
		closeWhenIdle(cc)
	}
}

func closeWhenIdle(cc *http.ClientConn) {
	cc.SetStateHook(func(cc *http.ClientConn) {
		if cc.InFlight() == 0 {
			cc.Close()
		}
	})
	if cc.InFlight() == 0 {
		cc.Close()
	}
}
