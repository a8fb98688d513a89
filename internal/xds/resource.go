// Package xds generates Envoy xDS resources from gathered config and registry
// state. Generation is pure: the same inputs give the same resources.
package xds

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Resource is one generated xDS resource. Proxies that see identical content
// share one *Resource, so it is validated, marshaled and hashed once, however
// many proxies receive it. A Resource is immutable once built.
type Resource struct {
	Name    string
	TypeURL string
	Message proto.Message

	once    sync.Once
	any     *anypb.Any
	version string
	err     error
}

// NewResource wraps a message. The message must not be modified afterwards.
func NewResource(typeURL, name string, msg proto.Message) *Resource {
	return &Resource{Name: name, TypeURL: typeURL, Message: msg}
}

// Marshaled returns the resource as an Any (deterministic bytes) and its
// version: a hash of those bytes, so equal content means equal version.
func (r *Resource) Marshaled() (*anypb.Any, string, error) {
	r.once.Do(func() {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(r.Message)
		if err != nil {
			r.err = fmt.Errorf("marshal %s %q: %w", r.TypeURL, r.Name, err)
			return
		}
		sum := sha256.Sum256(b)
		r.version = hex.EncodeToString(sum[:8])
		r.any = &anypb.Any{TypeUrl: r.TypeURL, Value: b}
	})
	return r.any, r.version, r.err
}

// ProxyResources is everything one proxy should see: type URL → name → resource.
type ProxyResources map[string]map[string]*Resource
