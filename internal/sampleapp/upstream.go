package sampleapp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// propagated are the request headers an app copies onto its upstream calls, as
// Bookinfo does, so routing on `end-user` and tracing work across hops.
var propagated = []string{
	"end-user", "user-agent", "cookie", "authorization",
	"x-request-id", "traceparent", "tracestate",
	"x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3",
}

// upstreams calls other services through the sidecar's egress listeners.
type upstreams struct {
	addrs   map[string]string
	timeout time.Duration
	client  *http.Client
}

func newUpstreams(addrs map[string]string, timeout time.Duration) *upstreams {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     30 * time.Second,
	}
	return &upstreams{addrs: addrs, timeout: timeout, client: &http.Client{Transport: tr}}
}

// get calls GET path on service, copying the propagated headers from in, and
// decodes its Reply. It never returns nil.
func (u *upstreams) get(ctx context.Context, service, path string, in http.Header) *Call {
	addr, ok := u.addrs[service]
	if !ok {
		return &Call{Error: fmt.Sprintf("no upstream configured for %s", service)}
	}
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return &Call{Error: err.Error()}
	}
	_, port, _ := net.SplitHostPort(addr)
	req.Host = service + ":" + port
	for _, h := range propagated {
		if v := in.Values(h); len(v) > 0 {
			req.Header[http.CanonicalHeaderKey(h)] = v
		}
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return &Call{Error: err.Error()}
	}
	defer resp.Body.Close()
	return decodeCall(resp)
}

func decodeCall(resp *http.Response) *Call {
	call := &Call{Status: resp.StatusCode}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		call.Error = fmt.Sprintf("reading body: %v", err)
		return call
	}
	var r Reply
	if err := json.Unmarshal(body, &r); err != nil || r.Service == "" {
		call.Error = truncate(string(body), 200)
		return call
	}
	call.Reply = &r
	if resp.StatusCode != http.StatusOK {
		call.Error = http.StatusText(resp.StatusCode)
	}
	return call
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (u *upstreams) close() { u.client.CloseIdleConnections() }
