// Package xdsdecode holds what the proxy's xDS decoders (proxy/listener,
// proxy/route, proxy/cluster) share: errors that name a field path inside a
// resource, an allowlist check that rejects any field the proxy does not act
// on, and conversions of well-known protobuf types (Any, Duration, regexes).
package xdsdecode

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a decode failure at a field path inside one resource, e.g.
// Path "filter_chains[0].filters[0]", Reason `unsupported filter "x"`.
type Error struct {
	Path   string
	Reason string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

// Errorf builds an Error at path.
func Errorf(path, format string, args ...any) error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// At prefixes err's field path with path: At(err at "match", "routes[2]") is
// an error at "routes[2].match". A nil err stays nil.
func At(err error, path string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return &Error{Path: JoinPath(path, e.Path), Reason: e.Reason}
	}
	return &Error{Path: path, Reason: err.Error()}
}

// Atf is At with a formatted path.
func Atf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return At(err, fmt.Sprintf(format, args...))
}

// JoinPath joins two field paths: "a" + "b" is "a.b", "a" + "[0].b" is "a[0].b".
func JoinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case strings.HasPrefix(b, "["):
		return a + b
	}
	return a + "." + b
}

// ResourceError is a rejected resource: `listener 127.0.0.1_9080: filter_chains[0]: ...`.
// Kind is the short resource type ("listener", "route", "cluster", "endpoints").
type ResourceError struct {
	Kind string
	Name string
	Err  error
}

func (e *ResourceError) Error() string {
	name := e.Name
	if name == "" {
		name = `""`
	}
	return e.Kind + " " + name + ": " + e.Err.Error()
}

func (e *ResourceError) Unwrap() error { return e.Err }

// ForResource wraps err as a failure of the named resource; nil stays nil.
func ForResource(kind, name string, err error) error {
	if err == nil {
		return nil
	}
	return &ResourceError{Kind: kind, Name: name, Err: err}
}
