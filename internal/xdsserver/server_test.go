package xdsserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

func TestServesAllTypesAndRecordsACKs(t *testing.T) {
	for _, delta := range []bool{false, true} {
		t.Run(protocolName(delta), func(t *testing.T) {
			mesh := newTestMesh("a.default.svc.cluster.local", "b.default.svc.cluster.local")
			mesh.routeTag["default"] = "v1"
			h := startServer(t, mesh.generator())
			p := h.connect(adstest.Options{Node: testNode("a", "default", 1), Delta: delta})
			p.wait(t, "initial sync", synced("v1"))

			if got := p.State(adstest.ClusterType).Names; len(got) != 2 {
				t.Errorf("clusters = %v, want 2", got)
			}
			if got := p.State(adstest.EndpointType).Names; len(got) != 2 {
				t.Errorf("endpoints = %v, want 2", got)
			}
			waitStatus(t, h.srv, func(st []ProxyStatus) bool {
				return len(st) == 1 && allSynced(st[0])
			})
			st := h.srv.Status()[0]
			if st.Workload != "default/a" || st.Delta != delta {
				t.Errorf("status = %+v", st)
			}
		})
	}
}

func TestPushSendsOnlyChangedTypesToAffectedProxies(t *testing.T) {
	for _, delta := range []bool{false, true} {
		t.Run(protocolName(delta), func(t *testing.T) {
			mesh := newTestMesh("a.default.svc.cluster.local", "b.default.svc.cluster.local")
			mesh.routeTag["default"], mesh.routeTag["other"] = "v1", "v1"
			h := startServer(t, mesh.generator())
			inDefault := h.connect(adstest.Options{Node: testNode("a", "default", 1), Delta: delta})
			inOther := h.connect(adstest.Options{Node: testNode("x", "other", 2), Delta: delta})
			inDefault.wait(t, "default sync", synced("v1"))
			inOther.wait(t, "other sync", synced("v1"))
			before := map[*proxy]map[string]int{inDefault: responses(inDefault), inOther: responses(inOther)}

			next := mesh.clone()
			next.routeTag["default"] = "v2"
			h.srv.Update(context.Background(), next.generator())
			inDefault.wait(t, "route change", synced("v2"))

			// A second push with no change at all sends nothing to anyone.
			h.srv.Update(context.Background(), next.clone().generator())
			waitStatus(t, h.srv, func(st []ProxyStatus) bool { return len(st) == 2 && allSynced(st[0]) && allSynced(st[1]) })

			want := map[*proxy]map[string]int{
				inDefault: {"CDS": 0, "EDS": 0, "LDS": 0, "RDS": 1},
				inOther:   {"CDS": 0, "EDS": 0, "LDS": 0, "RDS": 0},
			}
			for p, w := range want {
				got := responses(p)
				for typ, n := range w {
					if got[typ]-before[p][typ] != n {
						t.Errorf("%s: %s responses after the push = %d, want %d", p.name(), typ, got[typ]-before[p][typ], n)
					}
				}
			}
			if routeTag(inOther.Client) != "v1" {
				t.Errorf("other namespace's route changed: %q", routeTag(inOther.Client))
			}
		})
	}
}

func TestEndpointChangeSendsOnlyThatAssignment(t *testing.T) {
	for _, delta := range []bool{false, true} {
		t.Run(protocolName(delta), func(t *testing.T) {
			mesh := newTestMesh("a.default.svc.cluster.local", "b.default.svc.cluster.local")
			h := startServer(t, mesh.generator())
			p := h.connect(adstest.Options{Node: testNode("a", "default", 1), Delta: delta})
			p.wait(t, "initial sync", synced(""))
			before := p.State(adstest.EndpointType)

			next := mesh.clone()
			next.endpoints["b.default.svc.cluster.local"] = []string{"127.0.1.9"}
			h.srv.Update(context.Background(), next.generator())
			p.wait(t, "endpoint change", func(c *adstest.Client) bool {
				return c.State(adstest.EndpointType).Responses == before.Responses+1
			})
			after := p.State(adstest.EndpointType)
			name := "outbound|9080||b.default.svc.cluster.local"
			if after.Resources[name] == before.Resources[name] {
				t.Errorf("%s not updated", name)
			}
			// Unchanged assignments are not resent, in SotW too (EDS is not a
			// full-state type): the client still holds the very same Any.
			other := "outbound|9080||a.default.svc.cluster.local"
			if after.Resources[other] != before.Resources[other] {
				t.Errorf("%s resent although unchanged", other)
			}
			if after.Version == before.Version {
				t.Errorf("EDS version unchanged (%s) after an endpoint change", after.Version)
			}
		})
	}
}

func TestNACKIsRecorded(t *testing.T) {
	for _, delta := range []bool{false, true} {
		t.Run(protocolName(delta), func(t *testing.T) {
			mesh := newTestMesh("a.default.svc.cluster.local")
			mesh.routeTag["default"] = "v1"
			h := startServer(t, mesh.generator())
			reject := func(typeURL string, res map[string]*anypb.Any) error {
				if typeURL == adstest.RouteType && strings.Contains(string(res["9080"].GetValue()), "bad") {
					return errRejected
				}
				return nil
			}
			p := h.connect(adstest.Options{Node: testNode("a", "default", 1), Delta: delta, Reject: reject})
			p.wait(t, "initial sync", synced("v1"))

			next := mesh.clone()
			next.routeTag["default"] = "bad"
			h.srv.Update(context.Background(), next.generator())
			p.wait(t, "NACK sent", func(c *adstest.Client) bool { return c.State(adstest.RouteType).NACKs == 1 })
			waitStatus(t, h.srv, func(st []ProxyStatus) bool {
				rds := typeStatus(st[0], "RDS")
				return rds.State == StateNACKed && rds.LastNACK != nil && rds.LastNACK.Message == errRejected.Error()
			})
			if got := routeTag(p.Client); got != "v1" {
				t.Errorf("client route = %q, want the last accepted v1", got)
			}

			// The next good push is accepted and clears the NACKED state.
			fixed := mesh.clone()
			fixed.routeTag["default"] = "v3"
			h.srv.Update(context.Background(), fixed.generator())
			p.wait(t, "fixed route", synced("v3"))
			waitStatus(t, h.srv, func(st []ProxyStatus) bool { return typeStatus(st[0], "RDS").State == StateSynced })
		})
	}
}

func TestReconnectGetsCurrentState(t *testing.T) {
	mesh := newTestMesh("a.default.svc.cluster.local")
	mesh.routeTag["default"] = "v1"
	h := startServer(t, mesh.generator())
	first := h.connect(adstest.Options{Node: testNode("a", "default", 1)})
	first.wait(t, "initial sync", synced("v1"))
	if err := first.stop(); err != nil {
		t.Fatalf("client: %v", err)
	}
	next := mesh.clone()
	next.routeTag["default"] = "v2"
	h.srv.Update(context.Background(), next.generator())
	waitStatus(t, h.srv, func(st []ProxyStatus) bool { return len(st) == 0 })

	second := h.connect(adstest.Options{Node: testNode("a", "default", 1)})
	second.wait(t, "resync", synced("v2"))
}

func TestHoldsProxiesUntilFirstPush(t *testing.T) {
	h := startServer(t, nil)
	p := h.connect(adstest.Options{Node: testNode("a", "default", 1)})
	waitStatus(t, h.srv, func(st []ProxyStatus) bool { return len(st) == 1 })
	if h.srv.Ready() {
		t.Fatal("Ready before the first push")
	}
	if n := p.State(adstest.ClusterType).Responses; n != 0 {
		t.Fatalf("got %d CDS responses before the first push; an empty config would wipe the proxy", n)
	}
	mesh := newTestMesh("a.default.svc.cluster.local")
	mesh.routeTag["default"] = "v1"
	h.srv.Update(context.Background(), mesh.generator())
	p.wait(t, "sync after the first push", synced("v1"))
	if !h.srv.Ready() {
		t.Error("not Ready after the first push")
	}
}

func TestRejectsInvalidNode(t *testing.T) {
	h := startServer(t, newTestMesh().generator())
	node := testNode("a", "default", 1)
	node.Id = "sidecar~not-an-ip~a.default~default.svc.cluster.local"
	p := h.connect(adstest.Options{Node: node})
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Fatal("stream with an invalid node still open after 5 s")
	}
	err := p.stop()
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "node.id") {
		t.Fatalf("err = %v, want InvalidArgument naming node.id", err)
	}
}

// go-control-plane numbers SotW and delta streams independently, both from 1:
// a SotW and a delta proxy connected at once must not share state.
func TestSotWAndDeltaProxiesSideBySide(t *testing.T) {
	mesh := newTestMesh("a.default.svc.cluster.local", "b.default.svc.cluster.local")
	mesh.routeTag["default"] = "v1"
	h := startServer(t, mesh.generator())
	sotw := h.connect(adstest.Options{Node: testNode("a", "default", 1)})
	delta := h.connect(adstest.Options{Node: testNode("b", "default", 2), Delta: true})
	sotw.wait(t, "SotW sync", synced("v1"))
	delta.wait(t, "delta sync", synced("v1"))
	waitStatus(t, h.srv, func(st []ProxyStatus) bool {
		return len(st) == 2 && allSynced(st[0]) && allSynced(st[1])
	})

	next := mesh.clone()
	next.routeTag["default"] = "v2"
	h.srv.Update(context.Background(), next.generator())
	sotw.wait(t, "SotW route change", synced("v2"))
	delta.wait(t, "delta route change", synced("v2"))
}
