package config

import (
	"context"
	"fmt"
	"sort"

	"google.golang.org/protobuf/proto"
)

// Kind is an Istio API kind, spelled as in YAML (`VirtualService`).
type Kind string

// The kinds Loom reads. Spec types are those of istio.io/api
// (networking v1alpha3 and security v1beta1, which v1 aliases).
const (
	KindVirtualService        Kind = "VirtualService"
	KindDestinationRule       Kind = "DestinationRule"
	KindGateway               Kind = "Gateway"
	KindServiceEntry          Kind = "ServiceEntry"
	KindWorkloadEntry         Kind = "WorkloadEntry"
	KindSidecar               Kind = "Sidecar"
	KindPeerAuthentication    Kind = "PeerAuthentication"
	KindAuthorizationPolicy   Kind = "AuthorizationPolicy"
	KindRequestAuthentication Kind = "RequestAuthentication"
)

// DefaultNamespace is the namespace of an object whose metadata names none.
const DefaultNamespace = "default"

// Key identifies one object.
type Key struct {
	Kind      Kind
	Namespace string
	Name      string
}

func (k Key) String() string { return fmt.Sprintf("%s %s/%s", k.Kind, k.Namespace, k.Name) }

// Object is one validated Istio object. Objects in a Snapshot are never mutated.
type Object struct {
	Key
	Labels      map[string]string
	Annotations map[string]string
	// Spec is the istio.io/api message for Kind, e.g. *v1alpha3.VirtualService.
	Spec proto.Message
	// Source says where the object came from (`path/to/file.yaml#2` or `kube`).
	Source string
	// Revision changes whenever the object's content changes.
	Revision string
}

// Snapshot is an immutable view of all valid objects, indexed by kind.
// Each kind's slice is sorted by namespace, then name.
type Snapshot struct {
	// Version increases with every snapshot a Source publishes.
	Version uint64
	// Problems are the current findings: rejected objects (whose last good
	// version, if any, is still in the snapshot) and warnings.
	Problems []Problem
	byKind   map[Kind][]*Object
}

// NewSnapshot indexes objects by kind and sorts them. It takes ownership of objs.
func NewSnapshot(version uint64, objs []*Object, problems []Problem) *Snapshot {
	s := &Snapshot{Version: version, Problems: problems, byKind: make(map[Kind][]*Object)}
	for _, o := range objs {
		s.byKind[o.Kind] = append(s.byKind[o.Kind], o)
	}
	for _, list := range s.byKind {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Namespace != list[j].Namespace {
				return list[i].Namespace < list[j].Namespace
			}
			return list[i].Name < list[j].Name
		})
	}
	return s
}

// List returns the objects of one kind, sorted; callers must not modify it.
func (s *Snapshot) List(kind Kind) []*Object {
	if s == nil {
		return nil
	}
	return s.byKind[kind]
}

// Get returns one object, or nil.
func (s *Snapshot) Get(key Key) *Object {
	list := s.List(key.Kind)
	i := sort.Search(len(list), func(i int) bool {
		o := list[i]
		return o.Namespace > key.Namespace || (o.Namespace == key.Namespace && o.Name >= key.Name)
	})
	if i < len(list) && list[i].Namespace == key.Namespace && list[i].Name == key.Name {
		return list[i]
	}
	return nil
}

// Source is where config comes from: a directory now, Kubernetes later.
type Source interface {
	// Run publishes a Snapshot each time the valid set of objects changes, the
	// first one as soon as the initial read is done. It blocks until ctx ends.
	// publish is called from one goroutine at a time and must not block for long.
	Run(ctx context.Context, publish func(*Snapshot)) error
}

// Severity says whether a Problem rejected an object or only warns about it.
type Severity int

const (
	// SeverityError: the object (this version of it) is rejected.
	SeverityError Severity = iota
	// SeverityWarning: the object is accepted, but part of it does not act as written.
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Problem is one finding about one object (or one file, when Key is zero).
// Its String form is what users read: `Kind namespace/name: field.path: reason`.
type Problem struct {
	Key      Key
	Source   string // file and document index, when known
	Field    string // e.g. spec.http[0].route[1].weight
	Reason   string
	Severity Severity
}

func (p Problem) String() string {
	var s string
	if p.Key.Kind != "" {
		s = fmt.Sprintf("%s %s/%s: ", p.Key.Kind, p.Key.Namespace, p.Key.Name)
	} else if p.Source != "" {
		s = p.Source + ": "
	}
	if p.Field != "" {
		s += p.Field + ": "
	}
	s += p.Reason
	if p.Severity == SeverityWarning {
		s = "warning: " + s
	}
	return s
}
