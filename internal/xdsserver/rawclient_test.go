package xdsserver

import (
	"context"
	"sort"
	"testing"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

// rawStream is an ADS stream a test drives request by request, to subscribe
// in ways adstest's Envoy-like client never does: to some of a scope's
// names, to names that do not exist yet, dropping and re-adding names, or
// holding back an ACK.
type rawStream struct {
	t     *testing.T
	node  *core.Node
	sotw  discovery.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	delta discovery.AggregatedDiscoveryService_DeltaAggregatedResourcesClient
	sotwR chan *discovery.DiscoveryResponse
	dR    chan *discovery.DeltaDiscoveryResponse
}

func (h *harness) rawStream(node *core.Node, delta bool) *rawStream {
	h.t.Helper()
	cc, err := grpc.NewClient(h.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ads := discovery.NewAggregatedDiscoveryServiceClient(cc)
	r := &rawStream{t: h.t, node: node}
	done := make(chan struct{})
	if delta {
		r.delta, err = ads.DeltaAggregatedResources(ctx)
		r.dR = make(chan *discovery.DeltaDiscoveryResponse, 16)
		go receive(done, r.delta.Recv, r.dR)
	} else {
		r.sotw, err = ads.StreamAggregatedResources(ctx)
		r.sotwR = make(chan *discovery.DiscoveryResponse, 16)
		go receive(done, r.sotw.Recv, r.sotwR)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { cancel(); <-done; cc.Close() })
	return r
}

func receive[T any](done chan struct{}, recv func() (T, error), out chan T) {
	defer close(done)
	for {
		m, err := recv()
		if err != nil {
			return
		}
		out <- m
	}
}

// request sends a state-of-the-world EDS request; the first carries the node.
func (r *rawStream) request(version, nonce string, names ...string) {
	r.t.Helper()
	req := &discovery.DiscoveryRequest{Node: r.node, TypeUrl: adstest.EndpointType, VersionInfo: version, ResponseNonce: nonce, ResourceNames: names}
	r.node = nil
	if err := r.sotw.Send(req); err != nil {
		r.t.Fatal(err)
	}
}

// ack ACKs resp, asking for names.
func (r *rawStream) ack(resp *discovery.DiscoveryResponse, names ...string) {
	r.t.Helper()
	r.request(resp.GetVersionInfo(), resp.GetNonce(), names...)
}

// next is the next state-of-the-world response (within 5 s).
func (r *rawStream) next(what string) *discovery.DiscoveryResponse {
	r.t.Helper()
	select {
	case resp := <-r.sotwR:
		return resp
	case <-time.After(5 * time.Second):
		r.t.Fatalf("%s: no response within 5 s", what)
		return nil
	}
}

// deltaRequest sends a delta EDS request; the first carries the node.
func (r *rawStream) deltaRequest(req *discovery.DeltaDiscoveryRequest) {
	r.t.Helper()
	req.Node, req.TypeUrl = r.node, adstest.EndpointType
	r.node = nil
	if err := r.delta.Send(req); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawStream) nextDelta(what string) *discovery.DeltaDiscoveryResponse {
	r.t.Helper()
	select {
	case resp := <-r.dR:
		return resp
	case <-time.After(5 * time.Second):
		r.t.Fatalf("%s: no response within 5 s", what)
		return nil
	}
}

// clusterNames lists the load assignments in resources, in order.
func clusterNames(t *testing.T, resources []*anypb.Any) []string {
	t.Helper()
	var out []string
	for _, a := range resources {
		var cla endpoint.ClusterLoadAssignment
		if err := a.UnmarshalTo(&cla); err != nil {
			t.Fatal(err)
		}
		out = append(out, cla.GetClusterName())
	}
	return out
}

func deltaNames(resp *discovery.DeltaDiscoveryResponse) (sent, removed []string) {
	for _, r := range resp.GetResources() {
		sent = append(sent, r.GetName())
	}
	removed = append(removed, resp.GetRemovedResources()...)
	sort.Strings(removed)
	return sent, removed
}

// fetchVersion is the version the server computes from scratch for names.
func fetchVersion(t *testing.T, srv *Server, node *core.Node, names ...string) string {
	t.Helper()
	resp, err := srv.Fetch(context.Background(), &discovery.DiscoveryRequest{Node: node, TypeUrl: adstest.EndpointType, ResourceNames: names})
	if err != nil {
		t.Fatal(err)
	}
	return resp.(*sotwResponse).out.GetVersionInfo()
}
