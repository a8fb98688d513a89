package xdsclient

import (
	"maps"
	"slices"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Status is the client's state for the admin page.
type Status struct {
	ControlPlane string
	Delta        bool
	// Connected is true while a stream is up and has received a response.
	Connected bool
	// Synced is true once the first complete configuration was published.
	Synced bool
	// Versions are the last ACKed version_info (delta: system_version_info)
	// per type URL.
	Versions map[string]string
	// LastNACK is the most recent rejected response, if any.
	LastNACK *NACK
	// LastUpdate is when a snapshot was last published.
	LastUpdate time.Time
	// Warming lists resources accepted but not yet published ("cluster x").
	Warming []string
	// LastError is why the last stream ended or failed to start.
	LastError string
}

// NACK is one rejected response.
type NACK struct {
	TypeURL string
	Version string
	// Detail is the error_detail sent: one `<type> <name>: <field>: <reason>` per line.
	Detail string
	At     time.Time
}

// Dump is the client's configuration for /config_dump: per type URL, every
// resource it holds, sorted by name.
type Dump struct {
	Node         *corev3.Node
	ControlPlane string
	Resources    map[string][]DumpResource
}

// DumpResource is one resource in its three possible states.
type DumpResource struct {
	Name string
	// Active is the published version; nil while a new resource warms.
	Active *DumpVersion
	// Warming is an accepted version waiting for its dependencies.
	Warming *DumpVersion
	// Rejected is the last version that failed validation, if it came after
	// the accepted one.
	Rejected *DumpRejection
}

// DumpVersion is one accepted version of a resource.
type DumpVersion struct {
	Resource *anypb.Any
	Version  string
	Updated  time.Time
}

// DumpRejection is a rejected version and why.
type DumpRejection struct {
	Resource *anypb.Any
	Version  string
	At       time.Time
	Detail   string
}

// dump copies the state's resources; entries are immutable, so the copy is
// shallow.
func (s *state) dump() map[string][]DumpResource {
	out := map[string][]DumpResource{}
	for _, k := range kinds {
		names := map[string]bool{}
		for _, m := range []map[string]*entry{s.accepted[k.typeURL], s.published[k.typeURL]} {
			for n := range m {
				names[n] = true
			}
		}
		for n := range s.rejected[k.typeURL] {
			names[n] = true
		}
		for _, name := range slices.Sorted(maps.Keys(names)) {
			out[k.typeURL] = append(out[k.typeURL], s.dumpOne(k.typeURL, name))
		}
	}
	return out
}

func (s *state) dumpOne(typeURL, name string) DumpResource {
	r := DumpResource{Name: name}
	pub, acc := s.published[typeURL][name], s.accepted[typeURL][name]
	if pub != nil {
		r.Active = &DumpVersion{Resource: pub.raw, Version: pub.version, Updated: pub.updated}
	}
	if acc != nil && acc != pub {
		r.Warming = &DumpVersion{Resource: acc.raw, Version: acc.version, Updated: acc.updated}
	}
	if rej := s.rejected[typeURL][name]; rej != nil {
		r.Rejected = &DumpRejection{Resource: rej.raw, Version: rej.version, At: rej.at, Detail: rej.err.Error()}
	}
	return r
}
