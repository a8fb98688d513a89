package adstest

import (
	"context"
	"fmt"
	"sort"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/anypb"
)

func (c *Client) runSotW(ctx context.Context, ads discovery.AggregatedDiscoveryServiceClient) error {
	stream, err := ads.StreamAggregatedResources(ctx)
	if err != nil {
		return fmt.Errorf("open ADS stream: %w", err)
	}
	first := []*discovery.DiscoveryRequest{
		{Node: c.opts.Node, TypeUrl: ClusterType},
		{TypeUrl: ListenerType},
	}
	for _, req := range first {
		if err := stream.Send(req); err != nil {
			return fmt.Errorf("send %s request: %w", req.GetTypeUrl(), err)
		}
	}
	for {
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		reqs, ack := c.handleSotW(resp)
		for _, req := range reqs {
			if err := stream.Send(req); err != nil {
				return fmt.Errorf("send %s request: %w", req.GetTypeUrl(), err)
			}
		}
		if ack {
			c.acked(resp.GetTypeUrl(), resp.GetVersionInfo())
		}
	}
}

// handleSotW applies a response and returns the requests to send: the ACK
// or NACK, then a new request for the dependent type if its names changed.
func (c *Client) handleSotW(resp *discovery.DiscoveryResponse) ([]*discovery.DiscoveryRequest, bool) {
	typeURL := resp.GetTypeUrl()
	got, err := c.named(typeURL, resp.GetResources())
	detail := ""
	if err != nil {
		detail = err.Error()
	} else {
		detail = c.judge(typeURL, got)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.notify()
	ts := c.types[typeURL]
	if ts == nil {
		ts = &typeState{resources: map[string]*anypb.Any{}}
		c.types[typeURL] = ts
	}
	ts.responses++
	ts.nonce = resp.GetNonce()
	reply := &discovery.DiscoveryRequest{TypeUrl: typeURL, ResourceNames: ts.names, ResponseNonce: ts.nonce}
	if detail != "" {
		ts.nacks++
		reply.VersionInfo = ts.version
		reply.ErrorDetail = &rpcstatus.Status{Code: int32(codes.InvalidArgument), Message: detail}
		return []*discovery.DiscoveryRequest{reply}, false
	}
	ts.version = resp.GetVersionInfo()
	reply.VersionInfo = ts.version
	c.store(typeURL, ts, got, typeURL == ClusterType || typeURL == ListenerType)
	reqs := []*discovery.DiscoveryRequest{reply}
	if dep, names, ok := c.dependentNames(typeURL, ts); ok {
		d := c.types[dep]
		d.names = names
		reqs = append(reqs, &discovery.DiscoveryRequest{
			TypeUrl: dep, ResourceNames: names, VersionInfo: d.version, ResponseNonce: d.nonce,
		})
	}
	return reqs, true
}

// store records accepted resources; a full-state type replaces what it had.
// For full-state types it also records what each resource refers to (the
// dependent names); with SkipDecode that is all it keeps of them, so a
// benchmark's thousand clients do not hold every cluster and listener.
func (c *Client) store(typeURL string, ts *typeState, got map[string]*anypb.Any, fullState bool) {
	if fullState {
		ts.refs, ts.unread = make(map[string][]string, len(got)), nil
		c.addRefs(typeURL, ts, got)
	}
	switch {
	case c.opts.SkipDecode:
	case fullState:
		ts.resources = got
	default:
		for name, a := range got {
			ts.resources[name] = a
		}
	}
}

// addRefs records the dependent names each resource refers to.
func (c *Client) addRefs(typeURL string, ts *typeState, got map[string]*anypb.Any) {
	for name, a := range got {
		_, names, err := follow(typeURL, map[string]*anypb.Any{name: a})
		if err != nil {
			if ts.unread == nil {
				ts.unread = map[string]bool{}
			}
			ts.unread[name] = true
		} else {
			delete(ts.unread, name)
		}
		ts.refs[name] = names
	}
}

// dropRefs forgets removed resources.
func dropRefs(ts *typeState, removed []string) {
	for _, name := range removed {
		delete(ts.refs, name)
		delete(ts.unread, name)
	}
}

// dependentNames returns the EDS or RDS names a new CDS or LDS state asks
// for, when they differ from the current subscription; c.mu is held.
func (c *Client) dependentNames(typeURL string, ts *typeState) (string, []string, bool) {
	dep := dependent(typeURL)
	if dep == "" || len(ts.unread) > 0 {
		return "", nil, false
	}
	names := refNames(ts.refs)
	d := c.types[dep]
	if d.names != nil && sameNames(d.names, names) {
		return "", nil, false
	}
	if names == nil {
		names = []string{}
	}
	keep := setOf(names)
	for name := range d.resources {
		if !keep[name] {
			delete(d.resources, name)
		}
	}
	return dep, names, true
}

// refNames is every name refs holds, sorted, once.
func refNames(refs map[string][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, names := range refs {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// named keys each resource by its name (field 1 of every xDS resource we use).
func (c *Client) named(typeURL string, resources []*anypb.Any) (map[string]*anypb.Any, error) {
	out := make(map[string]*anypb.Any, len(resources))
	for i, a := range resources {
		if a.GetTypeUrl() != typeURL {
			return nil, fmt.Errorf("resources[%d]: type %q in a %s response", i, a.GetTypeUrl(), typeURL)
		}
		name, err := nameOf(a.GetValue())
		if err != nil {
			return nil, fmt.Errorf("resources[%d]: %w", i, err)
		}
		out[name] = a
	}
	return out, nil
}

func setOf(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set
}
