// Package sampleapp holds the applications Loom's demo and end-to-end tests run
// inside the mesh: a Bookinfo-like set of HTTP services (productpage, details,
// reviews, ratings), and echo servers for HTTP, gRPC and raw TCP.
//
// Apps know nothing about Loom: they listen on a plain address and reach other
// services only through their own sidecar's egress listener, like any app
// behind a sidecar with captureMode NONE.
package sampleapp

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Kind selects what an app does.
type Kind string

// Kinds of sample app.
const (
	// KindBookinfo is one Bookinfo service; Config.Name picks which.
	KindBookinfo Kind = "bookinfo"
	// KindHTTPEcho answers every request with what it received.
	KindHTTPEcho Kind = "http-echo"
	// KindGRPCEcho serves the loom.sample.Echo gRPC service (unary and streaming).
	KindGRPCEcho Kind = "grpc-echo"
	// KindTCPEcho writes back every byte it reads.
	KindTCPEcho Kind = "tcp-echo"
)

// Bookinfo service names.
const (
	ProductPage = "productpage"
	Details     = "details"
	Reviews     = "reviews"
	Ratings     = "ratings"
)

// Config describes one app process.
type Config struct {
	Kind    Kind
	Name    string // service name, e.g. "reviews"
	Version string // e.g. "v2"
	Listen  string // host:port the app serves on
	// Upstreams maps a service name to the host:port of the sidecar egress
	// listener that reaches it; requests carry Host: <service>:<port>.
	Upstreams map[string]string
	// UpstreamTimeout bounds each call to an upstream (Bookinfo uses 10 s for ratings).
	UpstreamTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections after this long (0: Go's default).
	IdleTimeout time.Duration
	// ConnectionClose makes http-echo answer every request with `Connection: close`.
	ConnectionClose bool
}

// Validate reports the first thing wrong with c, naming the flag's field.
func (c *Config) Validate() error {
	if c.Name == "" {
		return errors.New("name: required")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q: %w", c.Listen, err)
	}
	for svc, addr := range c.Upstreams {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("upstream %s=%q: %w", svc, addr, err)
		}
	}
	switch c.Kind {
	case KindBookinfo:
		return c.validateBookinfo()
	case KindHTTPEcho, KindGRPCEcho, KindTCPEcho:
		return nil
	default:
		return fmt.Errorf("kind %q: must be one of %s, %s, %s, %s", c.Kind, KindBookinfo, KindHTTPEcho, KindGRPCEcho, KindTCPEcho)
	}
}

func (c *Config) validateBookinfo() error {
	var needs []string
	switch c.Name {
	case ProductPage:
		needs = []string{Details, Reviews}
	case Reviews:
		if c.Version != "v1" {
			needs = []string{Ratings}
		}
	case Details, Ratings:
	default:
		return fmt.Errorf("name %q: a bookinfo app is one of %s", c.Name,
			strings.Join([]string{ProductPage, Details, Reviews, Ratings}, ", "))
	}
	for _, n := range needs {
		if c.Upstreams[n] == "" {
			return fmt.Errorf("upstream %s: required by %s %s", n, c.Name, c.Version)
		}
	}
	return nil
}

// ParseUpstream parses a `service=host:port` flag value.
func ParseUpstream(s string) (service, addr string, err error) {
	service, addr, ok := strings.Cut(s, "=")
	if !ok || service == "" || addr == "" {
		return "", "", fmt.Errorf("upstream %q: want service=host:port", s)
	}
	return service, addr, nil
}
