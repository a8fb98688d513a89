package xdsserver

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/stream/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/loom-mesh/loom/internal/xds"
)

// assignment is a load assignment resource; addr varies its content.
func assignment(name, addr string) *xds.Resource {
	return xds.NewResource(resource.EndpointType, name, loadAssignment(name, []string{addr}))
}

// broken does not marshal (a proto3 string must be valid UTF-8).
func broken(name string) *xds.Resource {
	return xds.NewResource(resource.EndpointType, name, loadAssignment("\xff", nil))
}

func changeSummary(t *transition) []string {
	var out []string
	for _, c := range t.changes {
		switch {
		case c.old == nil:
			out = append(out, "+"+c.name)
		case c.new == nil:
			out = append(out, "-"+c.name)
		default:
			out = append(out, "~"+c.name)
		}
	}
	return out
}

func TestTransition(t *testing.T) {
	a, b := assignment("a", "127.0.1.1"), assignment("b", "127.0.1.2")
	tests := []struct {
		name     string
		from, to map[string]*xds.Resource
		want     []string
	}{
		{"same resources, new map", map[string]*xds.Resource{"a": a, "b": b}, map[string]*xds.Resource{"a": a, "b": b}, nil},
		{"equal content, new pointers", map[string]*xds.Resource{"a": a}, map[string]*xds.Resource{"a": assignment("a", "127.0.1.1")}, nil},
		{"changed, added, removed", map[string]*xds.Resource{"a": a, "b": b},
			map[string]*xds.Resource{"a": assignment("a", "127.0.9.9"), "c": assignment("c", "127.0.1.3")}, []string{"~a", "-b", "+c"}},
		{"from nothing", nil, map[string]*xds.Resource{"b": b, "a": a}, []string{"+a", "+b"}},
		{"to nothing", map[string]*xds.Resource{"a": a}, nil, []string{"-a"}},
		// A resource that does not marshal is never sent: it counts as absent.
		{"becomes broken", map[string]*xds.Resource{"a": a}, map[string]*xds.Resource{"a": broken("a")}, []string{"-a"}},
		{"stays broken", map[string]*xds.Resource{"a": broken("a")}, map[string]*xds.Resource{"a": broken("a")}, nil},
		{"repaired", map[string]*xds.Resource{"a": broken("a")}, map[string]*xds.Resource{"a": a}, []string{"+a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			memo := newSetMemo(slog.New(slog.DiscardHandler))
			first := memo.transition(tt.from, tt.to)
			if diff := cmp.Diff(tt.want, changeSummary(first)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if first.changed() && memo.transition(tt.from, tt.to) != first {
				t.Error("transition of the same pair computed twice in one memo")
			}
		})
	}
}

// scratchVersion is the set version of every (name, version) in versions,
// computed from scratch.
func scratchVersion(versions map[string]string) string {
	var v setVersion
	for name, ver := range versions {
		v.addHash(pairHash(name, ver))
	}
	return v.String()
}

func TestSetVersionFollowsChanges(t *testing.T) {
	set := map[string]string{"a": "1", "b": "2", "c": "3"}
	var v setVersion
	for name, ver := range set {
		v.addHash(pairHash(name, ver))
	}
	v.removeHash(pairHash("b", "2"))
	v.addHash(pairHash("b", "9"))
	v.removeHash(pairHash("c", "3"))
	v.addHash(pairHash("d", "4"))
	want := scratchVersion(map[string]string{"a": "1", "b": "9", "d": "4"})
	if v.String() != want {
		t.Errorf("updated version %s, from scratch %s", v.String(), want)
	}
	if scratchVersion(map[string]string{"ab": "c"}) == scratchVersion(map[string]string{"a": "bc"}) {
		t.Error("name/version boundary does not count")
	}
}

// TestLazyPlanMatchesConcrete checks the fast path against the slow one: for
// random maps, subscriptions (partial, with names no map has, wildcard) and
// forced names, what a lazily held stream is sent equals what the same
// stream holding the same names concretely is sent.
func TestLazyPlanMatchesConcrete(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	memo := newSetMemo(slog.New(slog.DiscardHandler))
	for i := range 500 {
		from, to := randomMaps(rng)
		sub := randomSubscription(rng)
		force := map[string]struct{}{}
		if rng.IntN(3) == 0 {
			force[fmt.Sprintf("r%d", rng.IntN(8))] = struct{}{}
		}
		lazy := held{from: from, version: selectionVersion(from, &sub)}
		concrete := lazy.concrete(&sub)
		got, want := lazy.plan(to, &sub, force, memo), concrete.plan(to, &sub, force, memo)
		if diff := cmp.Diff(summary(want), summary(got)); diff != "" {
			t.Fatalf("case %d (wildcard %v, subscribed %v): lazy plan differs from concrete (-concrete +lazy):\n%s",
				i, sub.IsWildcard(), sortedKeys(sub.SubscribedResources()), diff)
		}
	}
}

// randomMaps returns two maps over names r0..r7: the second keeps some of
// the first's resources (same pointer), copies some (equal content, new
// pointer), changes, drops and adds others; a few do not marshal.
func randomMaps(rng *rand.Rand) (from, to map[string]*xds.Resource) {
	from, to = map[string]*xds.Resource{}, map[string]*xds.Resource{}
	for k := range 8 {
		name := fmt.Sprintf("r%d", k)
		if rng.IntN(4) > 0 {
			from[name] = assignment(name, fmt.Sprintf("127.0.0.%d", rng.IntN(3)+1))
		}
		switch r := rng.IntN(6); {
		case r == 0 && from[name] != nil:
			to[name] = from[name]
		case r == 1 && from[name] != nil:
			to[name] = xds.NewResource(resource.EndpointType, name, from[name].Message)
		case r == 2:
			to[name] = broken(name)
		case r <= 4:
			to[name] = assignment(name, fmt.Sprintf("127.0.0.%d", rng.IntN(3)+1))
		}
	}
	return from, to
}

func randomSubscription(rng *rand.Rand) stream.Subscription {
	if rng.IntN(5) == 0 {
		return stream.NewSotwSubscription([]string{"*"}, false)
	}
	var names []string
	for k := range 10 { // r8, r9: names neither map has
		if rng.IntN(2) == 0 {
			names = append(names, fmt.Sprintf("r%d", k))
		}
	}
	return stream.NewSotwSubscription(names, false)
}

func selectionVersion(all map[string]*xds.Resource, sub *stream.Subscription) setVersion {
	var v setVersion
	for _, r := range selected(all, sub) {
		if e, ok := entryOf(r, nil); ok {
			v.addHash(e.hash)
		}
	}
	return v
}

func summary(p plan) map[string]any {
	var send []string
	for _, e := range p.send {
		send = append(send, e.name+"@"+e.version)
	}
	return map[string]any{"send": send, "removed": p.removed, "version": p.version.String()}
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
