package xdsclient

import (
	"strings"
	"testing"
	"time"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

func anyOf(t testing.TB, m proto.Message) *anypb.Any { return xdstest.MustAny(t, m) }

func errStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestStateApply(t *testing.T) {
	now := time.Now()
	cds := kindOf(ClusterType)
	s := newState()
	a, b := anyOf(t, xdstest.EDSCluster("a")), anyOf(t, xdstest.EDSCluster("b"))
	if errs := s.apply(update{kind: cds, version: "1", full: true, resources: []resource{{raw: a}, {raw: b}}}, now); len(errs) != 0 {
		t.Fatal(errs)
	}

	t.Run("wrapped resources are unwrapped", func(t *testing.T) {
		w := anyOf(t, &discoveryv3.Resource{Name: "c", Resource: anyOf(t, xdstest.EDSCluster("c"))})
		errs := s.apply(update{kind: cds, version: "2", full: true, resources: []resource{{raw: a}, {raw: b}, {raw: w}}}, now)
		if len(errs) != 0 || s.accepted[ClusterType]["c"] == nil || s.accepted[ClusterType]["c"].raw.GetTypeUrl() != ClusterType {
			t.Errorf("errs %v, entry %+v", errs, s.accepted[ClusterType]["c"])
		}
	})
	t.Run("an unchanged resource keeps its entry", func(t *testing.T) {
		before := s.accepted[ClusterType]["a"]
		s.apply(update{kind: cds, version: "3", full: true, resources: []resource{{raw: a}, {raw: b}, {raw: anyOf(t, xdstest.EDSCluster("c"))}}}, now)
		if s.accepted[ClusterType]["a"] != before {
			t.Error("entry replaced")
		}
	})
	t.Run("an unreadable resource blocks removals", func(t *testing.T) {
		junk := &anypb.Any{TypeUrl: ClusterType, Value: []byte{0xff}}
		errs := s.apply(update{kind: cds, version: "4", full: true, resources: []resource{{raw: junk}}}, now)
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), `cluster "": decode:`) || len(s.accepted[ClusterType]) != 3 {
			t.Errorf("errs %v, %d clusters left", errStrings(errs), len(s.accepted[ClusterType]))
		}
	})
	t.Run("duplicates and foreign types are rejected", func(t *testing.T) {
		l := anyOf(t, xdstest.HTTPListener(t, 80, "80"))
		errs := s.apply(update{kind: cds, version: "5", full: true, resources: []resource{{raw: a}, {raw: a}, {raw: b}, {raw: l}}}, now)
		want := []string{"cluster a: listed twice in one response", `cluster "": type "` + ListenerType + `" in a ` + ClusterType + " response"}
		if got := errStrings(errs); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("errs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("a full response removes what it omits", func(t *testing.T) {
		s.apply(update{kind: cds, version: "6", full: true, resources: []resource{{raw: a}}}, now)
		if len(s.accepted[ClusterType]) != 1 || s.accepted[ClusterType]["a"] == nil {
			t.Errorf("clusters: %v", s.accepted[ClusterType])
		}
	})
	t.Run("delta removals", func(t *testing.T) {
		s.apply(update{kind: cds, removed: []string{"a"}}, now)
		if len(s.accepted[ClusterType]) != 0 {
			t.Errorf("clusters: %v", s.accepted[ClusterType])
		}
	})
	t.Run("a delta name must match the resource", func(t *testing.T) {
		errs := s.apply(update{kind: cds, resources: []resource{{name: "x", raw: a}}}, now)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), `resource name "x" differs from the name in the resource, "a"`) {
			t.Errorf("errs: %v", errStrings(errs))
		}
	})
}

func TestForgetDropsEndpointsOfRemovedClusters(t *testing.T) {
	now := time.Now()
	s := newState()
	s.apply(update{kind: kindOf(ClusterType), full: true, resources: []resource{{raw: anyOf(t, xdstest.EDSCluster("a"))}}}, now)
	s.apply(update{kind: kindOf(EndpointType), resources: []resource{{raw: anyOf(t, xdstest.Endpoints("a", "127.0.0.2"))}}}, now)
	s.settle(now, time.Second)
	if got := s.wanted(EndpointType); len(got) != 1 || got[0] != "a" || s.published[EndpointType]["a"] == nil {
		t.Fatalf("wanted %v, published %v", got, s.published[EndpointType])
	}
	s.apply(update{kind: kindOf(ClusterType), full: true}, now)
	s.settle(now, time.Second)
	if changed := s.forget(); !changed[EndpointType] || len(s.accepted[EndpointType]) != 0 || len(s.wanted(EndpointType)) != 0 {
		t.Errorf("changed %v, endpoints %v", changed, s.accepted[EndpointType])
	}
}

// FuzzApply feeds arbitrary bytes as a resource of each type through
// apply, settle and snapshot: nothing may panic.
func FuzzApply(f *testing.F) {
	for _, m := range []proto.Message{xdstest.EDSCluster("a"), xdstest.Endpoints("a", "127.0.0.2"), xdstest.HTTPListener(f, 80, "80"), xdstest.RouteConfig("80", "a")} {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newState()
		now := time.Now()
		for _, k := range kinds {
			s.apply(update{kind: k, full: k.wildcard, resources: []resource{{raw: &anypb.Any{TypeUrl: k.typeURL, Value: b}}}}, now)
		}
		changed, _ := s.settle(now.Add(time.Hour), time.Second)
		s.forget()
		s.snapshot(nil, changed, nil)
		s.dump()
	})
}
