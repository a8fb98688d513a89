package xdsclient

import (
	"bytes"
	"fmt"
	"time"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// entry is one accepted version of a resource. Entries are immutable.
type entry struct {
	name    string
	raw     *anypb.Any // the resource as received, for config_dump
	decoded any        // *listener.Config, *route.Config, *cluster.Config or *cluster.Endpoints
	version string     // version_info (SotW) or resource version (delta) that carried it
	updated time.Time  // when this version was accepted; warming runs from here
}

// rejection is the last version of a resource that failed to decode.
type rejection struct {
	raw     *anypb.Any
	version string
	at      time.Time
	err     error
}

// resource is one resource of a response.
type resource struct {
	name    string // from the delta Resource wrapper; "" in SotW until decoded
	version string
	raw     *anypb.Any
}

// update is one response, transport-neutral.
type update struct {
	kind      *kind
	version   string
	resources []resource
	// removed lists deleted names (delta). In state-of-the-world, full says
	// the response lists every resource of a wildcard type, so absent ones
	// are removed.
	removed []string
	full    bool
}

// state holds every resource the client accepted, what it published, and
// what it rejected. It is owned by the client's run loop (under Client.mu).
type state struct {
	accepted  map[string]map[string]*entry // type URL → name → entry
	published map[string]map[string]*entry
	rejected  map[string]map[string]*rejection
	received  map[string]bool // a response of this type arrived at least once
}

func newState() *state {
	s := &state{
		accepted:  map[string]map[string]*entry{},
		published: map[string]map[string]*entry{},
		rejected:  map[string]map[string]*rejection{},
		received:  map[string]bool{},
	}
	for _, k := range kinds {
		s.accepted[k.typeURL] = map[string]*entry{}
		s.published[k.typeURL] = map[string]*entry{}
		s.rejected[k.typeURL] = map[string]*rejection{}
	}
	return s
}

// apply records a response: good resources replace their accepted versions,
// bad ones are rejected and keep their last accepted version. It returns one
// error per rejected resource, worded `<type> <name>: <field>: <reason>`.
func (s *state) apply(u update, now time.Time) []error {
	s.received[u.kind.typeURL] = true
	accepted := s.accepted[u.kind.typeURL]
	var errs []error
	seen := map[string]bool{}
	unnamed := false
	for _, r := range u.resources {
		name, err := s.applyOne(u.kind, r, u.version, now, seen)
		if err != nil {
			errs = append(errs, err)
		}
		unnamed = unnamed || name == ""
	}
	removed := u.removed
	if u.full && !unnamed {
		// A resource we could not even name might be one we hold: remove
		// nothing rather than the wrong thing.
		for name := range accepted {
			if !seen[name] {
				removed = append(removed, name)
			}
		}
	}
	for _, name := range removed {
		delete(accepted, name)
		delete(s.rejected[u.kind.typeURL], name)
	}
	return errs
}

// applyOne decodes one resource and records it; it returns the resource's
// name ("" when it cannot be told) and the rejection error, if any.
func (s *state) applyOne(k *kind, r resource, version string, now time.Time, seen map[string]bool) (string, error) {
	if r.version != "" {
		version = r.version
	}
	raw, msg, err := unmarshal(k, r.raw)
	name := r.name
	if msg != nil && name == "" {
		name = k.name(msg)
	}
	if err == nil && name != k.name(msg) {
		err = fmt.Errorf("resource name %q differs from the name in the resource, %q", name, k.name(msg))
	}
	if err == nil && name == "" {
		err = fmt.Errorf("name required")
	}
	if err != nil {
		return name, fmt.Errorf("%s %s: %w", k.short, quoteEmpty(name), err)
	}
	if seen[name] {
		return name, fmt.Errorf("%s %s: listed twice in one response", k.short, quoteEmpty(name))
	}
	seen[name] = true
	if old := s.accepted[k.typeURL][name]; old != nil && sameBytes(old.raw, raw) {
		delete(s.rejected[k.typeURL], name)
		return name, nil // unchanged: keep the entry, its version and its age
	}
	if rej := s.rejected[k.typeURL][name]; rej != nil && sameBytes(rej.raw, raw) {
		return name, rej.err // the same bad bytes again: same answer, no re-decode
	}
	decoded, err := k.decode(msg)
	if err != nil {
		s.rejected[k.typeURL][name] = &rejection{raw: raw, version: version, at: now, err: err}
		return name, err
	}
	delete(s.rejected[k.typeURL], name)
	s.accepted[k.typeURL][name] = &entry{name: name, raw: raw, decoded: decoded, version: version, updated: now}
	return name, nil
}

// unmarshal reads a resource, unwrapping a discovery Resource wrapper; it
// returns the unwrapped Any and the message.
func unmarshal(k *kind, raw *anypb.Any) (*anypb.Any, proto.Message, error) {
	if raw.GetTypeUrl() == resourceWrapperType {
		var w discoveryv3.Resource
		if err := proto.Unmarshal(raw.GetValue(), &w); err != nil {
			return nil, nil, fmt.Errorf("decode Resource wrapper: %w", err)
		}
		raw = w.GetResource()
	}
	if raw.GetTypeUrl() != k.typeURL {
		return nil, nil, fmt.Errorf("type %q in a %s response", raw.GetTypeUrl(), k.typeURL)
	}
	msg := k.newMsg()
	if err := proto.Unmarshal(raw.GetValue(), msg); err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	return raw, msg, nil
}

const resourceWrapperType = "type.googleapis.com/envoy.service.discovery.v3.Resource"

func sameBytes(a, b *anypb.Any) bool {
	return a.GetTypeUrl() == b.GetTypeUrl() && bytes.Equal(a.GetValue(), b.GetValue())
}

func quoteEmpty(name string) string {
	if name == "" {
		return `""`
	}
	return name
}
