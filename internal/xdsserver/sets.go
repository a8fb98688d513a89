package xdsserver

import (
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"unsafe"

	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/xds"
)

// setMemo shares, among the proxies of one push, the work that depends only
// on the generator's maps: what changed from one map of a type to another (a
// transition) and a whole map ready to send (a full set). The generator gives
// every proxy of a scope the same map and reuses unchanged *xds.Resource
// values across pushes, so a push's thousand proxies ask about a handful of
// map pairs: each pair is compared once, and each proxy's work is then
// proportional to what changed, not to how many resources it subscribes to.
//
// Keys are map identities. The generator never modifies a map it returned,
// and a key keeps its map alive, so an address is never reused while the
// memo holds it. A memo lives for one push (conns hold it until the next).
type setMemo struct {
	log *slog.Logger

	mu          sync.Mutex
	transitions map[[2]unsafe.Pointer]*onceValue[*transition]
	fulls       map[unsafe.Pointer]*onceValue[*fullSet]
}

type onceValue[T any] struct {
	once sync.Once
	v    T
}

func newSetMemo(log *slog.Logger) *setMemo {
	return &setMemo{
		log:         log,
		transitions: make(map[[2]unsafe.Pointer]*onceValue[*transition]),
		fulls:       make(map[unsafe.Pointer]*onceValue[*fullSet]),
	}
}

// transition returns what changed from one map to another.
func (m *setMemo) transition(from, to map[string]*xds.Resource) *transition {
	if sameMap(from, to) || len(from)+len(to) == 0 {
		return &transition{}
	}
	key := [2]unsafe.Pointer{mapPointer(from), mapPointer(to)}
	m.mu.Lock()
	e := m.transitions[key]
	if e == nil {
		e = &onceValue[*transition]{}
		m.transitions[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v = diffMaps(from, to, m.log) })
	return e.v
}

// full returns a whole map ready to send.
func (m *setMemo) full(all map[string]*xds.Resource) *fullSet {
	key := mapPointer(all)
	m.mu.Lock()
	e := m.fulls[key]
	if e == nil {
		e = &onceValue[*fullSet]{}
		m.fulls[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v = newFullSet(all, m.log) })
	return e.v
}

// entry is one resource ready to send: its shared Any, content version and
// pairHash (its contribution to a set version).
type entry struct {
	name    string
	any     *anypb.Any
	version string
	hash    uint64
}

// entryOf returns r's entry, or false (logged when log is set) if r does not
// marshal: such a resource is never sent, so it counts as absent everywhere.
func entryOf(r *xds.Resource, log *slog.Logger) (entry, bool) {
	a, ver, err := r.Marshaled()
	if err != nil {
		if log != nil {
			log.Error("dropping resource that does not marshal", "type", r.TypeURL, "name", r.Name, "error", err)
		}
		return entry{}, false
	}
	return entry{name: r.Name, any: a, version: ver, hash: pairHash(r.Name, ver)}, true
}

// transition is what changed from one map of a type to another: every name
// added, removed or given different content, sorted by name.
type transition struct{ changes []change }

// change is one name's move; old or new is nil when the name is absent there.
type change struct {
	name     string
	old, new *entry
}

func (t *transition) changed() bool { return len(t.changes) > 0 }

func diffMaps(from, to map[string]*xds.Resource, log *slog.Logger) *transition {
	t := &transition{}
	for name, r := range to {
		o := from[name]
		if o == r {
			continue // shared across pushes: unchanged, no need to look
		}
		c := change{name: name}
		if e, ok := entryOf(r, log); ok {
			c.new = &e
		}
		if o != nil {
			if e, ok := entryOf(o, nil); ok {
				c.old = &e
			}
		}
		if !sameEntry(c.old, c.new) {
			t.changes = append(t.changes, c)
		}
	}
	for name, o := range from {
		if _, ok := to[name]; !ok {
			if e, ok := entryOf(o, nil); ok {
				t.changes = append(t.changes, change{name: name, old: &e})
			}
		}
	}
	sort.Slice(t.changes, func(i, j int) bool { return t.changes[i].name < t.changes[j].name })
	return t
}

func sameEntry(a, b *entry) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.version == b.version)
}

// fullSet is a whole map as a state-of-the-world response carries it: every
// resource, sorted by name, and the set's version.
type fullSet struct {
	anys    []*anypb.Any
	version string
}

func newFullSet(all map[string]*xds.Resource, log *slog.Logger) *fullSet {
	entries := make([]entry, 0, len(all))
	var v setVersion
	for _, r := range all {
		if e, ok := entryOf(r, log); ok {
			entries = append(entries, e)
			v.addHash(e.hash)
		}
	}
	sortEntries(entries)
	return &fullSet{anys: anysOf(entries), version: v.String()}
}

func anysOf(entries []entry) []*anypb.Any {
	out := make([]*anypb.Any, len(entries))
	for i, e := range entries {
		out[i] = e.any
	}
	return out
}

// sortEntries orders a response's resources by name, so output is deterministic.
func sortEntries(es []entry) {
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
}

func mapPointer(m map[string]*xds.Resource) unsafe.Pointer { return reflect.ValueOf(m).UnsafePointer() }

func sameMap(a, b map[string]*xds.Resource) bool {
	return a != nil && b != nil && mapPointer(a) == mapPointer(b)
}
