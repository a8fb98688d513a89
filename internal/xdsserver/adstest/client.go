// Package adstest is an ADS client that behaves like Envoy, for tests and
// benchmarks: it subscribes to all clusters and listeners, then to the
// endpoints of its EDS clusters and the route configurations its listeners
// name, and ACKs (or NACKs) every response. It speaks state-of-the-world or
// delta xDS and uses nothing from go-control-plane but the protos.
package adstest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/anypb"
)

// Type URLs.
const (
	ClusterType  = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	EndpointType = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
	ListenerType = "type.googleapis.com/envoy.config.listener.v3.Listener"
	RouteType    = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
)

// Options configures a Client.
type Options struct {
	Node  *core.Node
	Delta bool
	// Reject, when set, is asked about every response; an error NACKs it
	// with the error's text as error_detail.
	Reject func(typeURL string, resources map[string]*anypb.Any) error
	// OnACK, when set, is called after each ACK is sent (not for NACKs).
	OnACK func(typeURL, version string, at time.Time)
	// SkipDecode leaves RDS and EDS resources undecoded and unstored, and
	// keeps of CDS and LDS resources only the names they refer to (benchmarks).
	SkipDecode bool
}

// Client is one simulated proxy. Create it with New, run it with Run.
type Client struct {
	opts Options

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every response
	types   map[string]*typeState
}

type typeState struct {
	version   string // SotW version_info or delta system_version_info
	nonce     string
	names     []string // subscribed names (EDS, RDS); nil for wildcard
	resources map[string]*anypb.Any
	refs      map[string][]string // CDS, LDS: resource → the EDS or RDS names it refers to
	unread    map[string]bool     // CDS, LDS: resources whose references could not be read
	responses int
	nacks     int
}

// New returns a client for opts.
func New(opts Options) *Client {
	c := &Client{opts: opts, changed: make(chan struct{}), types: make(map[string]*typeState)}
	for _, t := range []string{ClusterType, EndpointType, ListenerType, RouteType} {
		c.types[t] = &typeState{resources: make(map[string]*anypb.Any)}
	}
	return c
}

// Run opens one ADS stream on cc and serves it until ctx ends or the stream
// fails. It returns nil when ctx ends.
func (c *Client) Run(ctx context.Context, cc grpc.ClientConnInterface) error {
	ads := discovery.NewAggregatedDiscoveryServiceClient(cc)
	var err error
	if c.opts.Delta {
		err = c.runDelta(ctx, ads)
	} else {
		err = c.runSotW(ctx, ads)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// State is a copy of what the client holds for one type.
type State struct {
	Version   string
	Names     []string // sorted resource names held
	Resources map[string]*anypb.Any
	Responses int
	NACKs     int
}

// State returns what the client holds for typeURL.
func (c *Client) State(typeURL string) State {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.types[typeURL]
	st := State{Version: ts.version, Responses: ts.responses, NACKs: ts.nacks, Resources: make(map[string]*anypb.Any)}
	for name, a := range ts.resources {
		st.Names = append(st.Names, name)
		st.Resources[name] = a
	}
	sort.Strings(st.Names)
	return st
}

// Wait blocks until cond holds for the client or ctx ends.
func (c *Client) Wait(ctx context.Context, cond func(c *Client) bool) error {
	for {
		c.mu.Lock()
		ch := c.changed
		c.mu.Unlock()
		if cond(c) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the xDS client: %w", ctx.Err())
		}
	}
}

// notify wakes Wait; c.mu is held.
func (c *Client) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// judge asks opts.Reject about a response; "" means ACK.
func (c *Client) judge(typeURL string, resources map[string]*anypb.Any) string {
	if c.opts.Reject == nil {
		return ""
	}
	if err := c.opts.Reject(typeURL, resources); err != nil {
		return err.Error()
	}
	return ""
}

func (c *Client) acked(typeURL, version string) {
	if c.opts.OnACK != nil {
		c.opts.OnACK(typeURL, version, time.Now())
	}
}
