package xdsserver

import (
	"context"
	"testing"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/google/go-cmp/cmp"
)

// Proxies normally subscribe to exactly their scope's endpoint map, which is
// what makes a push cheap (see setMemo and held). These tests subscribe
// otherwise and check that what is sent is still exactly right.

func host(s string) string { return s + ".default.svc.cluster.local" }

func ep(s string) string { return "outbound|9080||" + host(s) }

// withEndpoint returns a copy of m where service s has one endpoint at addr
// (adding the service if m has none).
func (m *testMesh) withEndpoint(s, addr string) *testMesh {
	next := m.clone()
	if _, ok := next.endpoints[host(s)]; !ok {
		next.services = append(next.services, host(s))
	}
	next.endpoints[host(s)] = []string{addr}
	return next
}

func (m *testMesh) without(s string) *testMesh {
	next := m.clone()
	delete(next.endpoints, host(s))
	next.services = nil
	for _, svc := range m.services {
		if svc != host(s) {
			next.services = append(next.services, svc)
		}
	}
	return next
}

func wantSent(t *testing.T, what string, resp *discovery.DiscoveryResponse, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, clusterNames(t, resp.GetResources())); diff != "" {
		t.Errorf("%s: load assignments sent (-want +got):\n%s", what, diff)
	}
}

func TestSotWPartialSubscriptionGetsOnlyWhatItAsksFor(t *testing.T) {
	mesh := newTestMesh(host("a"), host("b"), host("c"))
	h := startServer(t, mesh.generator())
	node := testNode("p", "default", 1)
	s := h.rawStream(node, false)
	names := []string{ep("a"), ep("c"), ep("z")} // no service z yet
	s.request("", "", names...)
	r := s.next("initial")
	wantSent(t, "initial", r, ep("a"), ep("c"))
	if want := fetchVersion(t, h.srv, node, names...); r.GetVersionInfo() != want {
		t.Errorf("initial version %s, computed from scratch %s", r.GetVersionInfo(), want)
	}
	s.ack(r, names...)

	// b is not subscribed: its change sends nothing (the next response is a's).
	mesh = mesh.withEndpoint("b", "127.0.1.20")
	h.srv.Update(context.Background(), mesh.generator())
	mesh = mesh.withEndpoint("a", "127.0.1.21")
	h.srv.Update(context.Background(), mesh.generator())
	r = s.next("a changed")
	wantSent(t, "a changed", r, ep("a"))
	if want := fetchVersion(t, h.srv, node, names...); r.GetVersionInfo() != want {
		t.Errorf("version after a changed %s, computed from scratch %s", r.GetVersionInfo(), want)
	}
	s.ack(r, names...)

	// z appears: it was asked for in advance.
	mesh = mesh.withEndpoint("z", "127.0.1.22")
	h.srv.Update(context.Background(), mesh.generator())
	r = s.next("z added")
	wantSent(t, "z added", r, ep("z"))
	if want := fetchVersion(t, h.srv, node, names...); r.GetVersionInfo() != want {
		t.Errorf("version after z added %s, computed from scratch %s", r.GetVersionInfo(), want)
	}

	// c dropped (nothing to send), then asked for again: resent, unchanged.
	s.ack(r, ep("a"), ep("z"))
	s.ack(r, names...)
	wantSent(t, "c asked for again", s.next("c asked for again"), ep("c"))
}

func TestSotWProxyBehindGetsWhatChangedSinceItsLastResponse(t *testing.T) {
	mesh := newTestMesh(host("a"), host("b"), host("c"))
	h := startServer(t, mesh.generator())
	node := testNode("p", "default", 1)
	s := h.rawStream(node, false)
	names := []string{ep("a"), ep("b")}
	s.request("", "", names...)
	first := s.next("initial")

	// Three pushes while the proxy has not ACKed: a changes and changes
	// back, b changes, c (not subscribed) changes.
	orig := mesh
	for _, next := range []*testMesh{mesh.withEndpoint("a", "127.0.1.30"), mesh.withEndpoint("b", "127.0.1.31"),
		orig.withEndpoint("b", "127.0.1.31").withEndpoint("c", "127.0.1.32")} {
		h.srv.Update(context.Background(), next.generator())
	}
	s.ack(first, names...)
	r := s.next("after the ACK")
	wantSent(t, "after the ACK", r, ep("b"))
	if want := fetchVersion(t, h.srv, node, names...); r.GetVersionInfo() != want {
		t.Errorf("version %s, computed from scratch %s", r.GetVersionInfo(), want)
	}
}

func TestDeltaSubscriptionChangesAndReconnect(t *testing.T) {
	mesh := newTestMesh(host("a"), host("b"), host("c"))
	h := startServer(t, mesh.generator())
	node := testNode("p", "default", 1)
	s := h.rawStream(node, true)
	s.deltaRequest(&discovery.DeltaDiscoveryRequest{ResourceNamesSubscribe: []string{ep("a"), ep("c")}})
	r := s.nextDelta("initial")
	wantDelta(t, "initial", r, []string{ep("a"), ep("c")}, nil)
	s.deltaRequest(&discovery.DeltaDiscoveryRequest{ResponseNonce: r.GetNonce()})

	mesh = mesh.withEndpoint("a", "127.0.1.40").withEndpoint("b", "127.0.1.41")
	h.srv.Update(context.Background(), mesh.generator())
	r = s.nextDelta("a and b changed")
	wantDelta(t, "a and b changed", r, []string{ep("a")}, nil)

	// Drop c (the client forgets it: not reported removed), add b.
	s.deltaRequest(&discovery.DeltaDiscoveryRequest{ResponseNonce: r.GetNonce(),
		ResourceNamesSubscribe: []string{ep("b")}, ResourceNamesUnsubscribe: []string{ep("c")}})
	r = s.nextDelta("b subscribed, c unsubscribed")
	wantDelta(t, "b subscribed, c unsubscribed", r, []string{ep("b")}, nil)
	bVersion := r.GetResources()[0].GetVersion()
	s.deltaRequest(&discovery.DeltaDiscoveryRequest{ResponseNonce: r.GetNonce()})

	// c changes (not subscribed any more), then a goes away.
	mesh = mesh.withEndpoint("c", "127.0.1.42")
	h.srv.Update(context.Background(), mesh.generator())
	mesh = mesh.without("a")
	h.srv.Update(context.Background(), mesh.generator())
	wantDelta(t, "a removed", s.nextDelta("a removed"), nil, []string{ep("a")})

	// A new stream that says it holds b (current) and c (stale) gets only c.
	again := h.rawStream(node, true)
	again.deltaRequest(&discovery.DeltaDiscoveryRequest{ResourceNamesSubscribe: []string{ep("b"), ep("c")},
		InitialResourceVersions: map[string]string{ep("b"): bVersion, ep("c"): "stale"}})
	wantDelta(t, "reconnect", again.nextDelta("reconnect"), []string{ep("c")}, nil)
}

// Under a wildcard subscription, explicitly unsubscribing a name the client
// also named must be answered with that resource again, or its removal.
func TestDeltaWildcardExplicitUnsubscribeResends(t *testing.T) {
	mesh := newTestMesh(host("a"), host("b"))
	h := startServer(t, mesh.generator())
	s := h.rawStream(testNode("p", "default", 1), true)
	s.deltaRequest(&discovery.DeltaDiscoveryRequest{ResourceNamesSubscribe: []string{"*", ep("a"), ep("z")}})
	r := s.nextDelta("initial")
	wantDelta(t, "initial", r, []string{ep("a"), ep("b")}, nil)
	s.deltaRequest(&discovery.DeltaDiscoveryRequest{ResponseNonce: r.GetNonce(), ResourceNamesUnsubscribe: []string{ep("a"), ep("z")}})
	wantDelta(t, "a and z unsubscribed", s.nextDelta("a and z unsubscribed"), []string{ep("a")}, []string{ep("z")})
}

func wantDelta(t *testing.T, what string, resp *discovery.DeltaDiscoveryResponse, sent, removed []string) {
	t.Helper()
	gotSent, gotRemoved := deltaNames(resp)
	if diff := cmp.Diff(map[string][]string{"sent": sent, "removed": removed},
		map[string][]string{"sent": gotSent, "removed": gotRemoved}); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}
