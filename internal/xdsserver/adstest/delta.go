package adstest

import (
	"context"
	"fmt"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/anypb"
)

func (c *Client) runDelta(ctx context.Context, ads discovery.AggregatedDiscoveryServiceClient) error {
	stream, err := ads.DeltaAggregatedResources(ctx)
	if err != nil {
		return fmt.Errorf("open delta ADS stream: %w", err)
	}
	first := []*discovery.DeltaDiscoveryRequest{
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
		reqs, ack := c.handleDelta(resp)
		for _, req := range reqs {
			if err := stream.Send(req); err != nil {
				return fmt.Errorf("send %s request: %w", req.GetTypeUrl(), err)
			}
		}
		if ack {
			c.acked(resp.GetTypeUrl(), resp.GetSystemVersionInfo())
		}
	}
}

func (c *Client) handleDelta(resp *discovery.DeltaDiscoveryResponse) ([]*discovery.DeltaDiscoveryRequest, bool) {
	typeURL := resp.GetTypeUrl()
	got := make(map[string]*anypb.Any, len(resp.GetResources()))
	for _, r := range resp.GetResources() {
		got[r.GetName()] = r.GetResource()
	}
	detail := c.judge(typeURL, got)
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
	reply := &discovery.DeltaDiscoveryRequest{TypeUrl: typeURL, ResponseNonce: ts.nonce}
	if detail != "" {
		ts.nacks++
		reply.ErrorDetail = &rpcstatus.Status{Code: int32(codes.InvalidArgument), Message: detail}
		return []*discovery.DeltaDiscoveryRequest{reply}, false
	}
	ts.version = resp.GetSystemVersionInfo()
	fullState := typeURL == ClusterType || typeURL == ListenerType
	if fullState {
		if ts.refs == nil {
			ts.refs = map[string][]string{}
		}
		c.addRefs(typeURL, ts, got)
		dropRefs(ts, resp.GetRemovedResources())
	}
	if !c.opts.SkipDecode {
		for name, a := range got {
			ts.resources[name] = a
		}
		for _, name := range resp.GetRemovedResources() {
			delete(ts.resources, name)
		}
	}
	reqs := []*discovery.DeltaDiscoveryRequest{reply}
	old := c.types[dependent(typeURL)]
	var before []string
	if old != nil {
		before = old.names
	}
	if dep, names, ok := c.dependentNames(typeURL, ts); ok {
		sub, unsub := diffNames(before, names)
		c.types[dep].names = names
		reqs = append(reqs, &discovery.DeltaDiscoveryRequest{
			TypeUrl: dep, ResourceNamesSubscribe: sub, ResourceNamesUnsubscribe: unsub,
		})
	}
	return reqs, true
}

func dependent(typeURL string) string {
	switch typeURL {
	case ClusterType:
		return EndpointType
	case ListenerType:
		return RouteType
	}
	return ""
}

func diffNames(before, after []string) (added, removed []string) {
	had, has := setOf(before), setOf(after)
	for _, n := range after {
		if !had[n] {
			added = append(added, n)
		}
	}
	for _, n := range before {
		if !has[n] {
			removed = append(removed, n)
		}
	}
	return added, removed
}
