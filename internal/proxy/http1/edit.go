package http1

import (
	"errors"
	"fmt"
)

// Field is a header field to add or set.
type Field struct {
	Name, Value string
}

// HeaderEdits is one layer of header mutations computed from config (a
// route's, a virtual host's, a weighted cluster's). Validate it once when the
// config is decoded; the writers trust it.
type HeaderEdits struct {
	Set    []Field  // replace every field with this name
	Add    []Field  // append, keeping existing fields
	Remove []string // drop every field with this name (any case)
}

// Validate checks that names are tokens, values hold no CR, LF or other
// control bytes, and no edit touches a field the codec owns (framing,
// hop-by-hop, Host).
func (e *HeaderEdits) Validate() error {
	for _, list := range [][]Field{e.Set, e.Add} {
		for _, f := range list {
			if err := validateEditName(f.Name); err != nil {
				return err
			}
			if err := CheckEditValue(f.Value); err != nil {
				return fmt.Errorf("header %q: %w", f.Name, err)
			}
		}
	}
	for _, name := range e.Remove {
		if err := validateEditName(name); err != nil {
			return err
		}
	}
	return nil
}

func validateEditName(name string) error {
	if err := CheckEditName(name); err != nil {
		return fmt.Errorf("header %q: %w", name, err)
	}
	return nil
}

// CheckEditName reports why a header mutation (set, add or remove) may not
// name this field, or nil: the name must be a token (RFC 9110 5.1) and not a
// field the codec itself manages. Config decoders use it to reject such
// mutations up front rather than have the data path ignore them.
func CheckEditName(name string) error {
	if !validTokenString(name) {
		return errors.New("not a valid HTTP field name")
	}
	switch lookupKnown([]byte(name)) {
	case knownNone:
		return nil
	case knownHost:
		return errors.New("the Host field is set from the request's authority (use a host rewrite)")
	case knownContentLength, knownTransferEncoding, knownTrailer:
		return errors.New("message framing field: the proxy sets it from the body it relays")
	case knownExpect:
		return errors.New("the proxy answers Expect: 100-continue itself")
	}
	return errors.New("hop-by-hop field: it describes one connection, the proxy manages it per hop")
}

// CheckEditValue reports whether value may be a mutation's field value: no
// CR, LF, NUL or other control bytes except horizontal tab.
func CheckEditValue(value string) error {
	if !validValueString(value) {
		return errors.New("control character in field value")
	}
	return nil
}

// RequestEdit says how to rewrite a request for the upstream. The zero value
// forwards the request unchanged apart from hop-by-hop fields.
type RequestEdit struct {
	// Host, when set, replaces the Host field (authority rewrite).
	Host string
	// Path, when non-nil, replaces the path (the query is kept).
	Path []byte
	// StripPrefix and PrefixRewrite: when Path is nil and the path starts
	// with StripPrefix, that prefix is replaced by PrefixRewrite (Envoy's
	// prefix_rewrite). Inactive when both are empty.
	StripPrefix, PrefixRewrite string
	// Headers are applied in order; a later layer's Set or Remove also
	// overrides an earlier layer's Add or Set of the same name.
	Headers []*HeaderEdits
	// Extra holds preformatted field lines ("Name: value\r\n" each), appended
	// last; build it with AppendField. For per-request values such as
	// x-request-id or x-forwarded-for.
	Extra []byte
	// Close asks the upstream to close after this response.
	Close bool
}

// valid checks the parts of the edit that end up in the request line or
// Host: rewrites may combine config with request bytes.
func (ed *RequestEdit) valid() bool {
	return validAuthority([]byte(ed.Host)) && validTargetBytes(ed.Path) &&
		validTargetString(ed.PrefixRewrite)
}

func validTargetBytes(b []byte) bool {
	for _, c := range b {
		if !isTargetChar(c) {
			return false
		}
	}
	return true
}

func validTargetString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTargetChar(s[i]) {
			return false
		}
	}
	return true
}

// ResponseEdit says how to rewrite a response for the downstream.
type ResponseEdit struct {
	Headers []*HeaderEdits
	Extra   []byte // see RequestEdit.Extra
	// Close closes the downstream connection after this response and says so
	// in the head (Connection: close), e.g. while draining.
	Close bool
}

// AppendField appends "name: value\r\n" to dst, for RequestEdit.Extra and
// ResponseEdit.Extra. It reports false (and leaves dst unchanged) when name is
// not a token or value holds a byte not allowed in a field value.
func AppendField(dst, name, value []byte) ([]byte, bool) {
	if !isToken(name) || !validValue(value) {
		return dst, false
	}
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n'), true
}

// editedAway reports whether a received field is replaced or removed by any
// edit layer.
func editedAway(name []byte, layers []*HeaderEdits) bool {
	for _, l := range layers {
		if nameIn(name, l.Remove) || fieldNamed(name, l.Set) {
			return true
		}
	}
	return false
}

func nameIn(name []byte, names []string) bool {
	for _, n := range names {
		if equalFold(name, n) {
			return true
		}
	}
	return false
}

func fieldNamed(name []byte, fields []Field) bool {
	for i := range fields {
		if equalFold(name, fields[i].Name) {
			return true
		}
	}
	return false
}

// overriddenLater reports whether a later layer than i sets or removes name.
func overriddenLater(name string, layers []*HeaderEdits, i int) bool {
	for _, l := range layers[i+1:] {
		for _, n := range l.Remove {
			if equalFoldStrings(n, name) {
				return true
			}
		}
		for j := range l.Set {
			if equalFoldStrings(l.Set[j].Name, name) {
				return true
			}
		}
	}
	return false
}

// appendEdits appends the Set and Add fields of every layer.
func appendEdits(dst []byte, layers []*HeaderEdits) []byte {
	for i, l := range layers {
		for _, list := range [2][]Field{l.Set, l.Add} {
			for j := range list {
				if !overriddenLater(list[j].Name, layers, i) {
					dst = appendFieldString(dst, list[j].Name, list[j].Value)
				}
			}
		}
	}
	return dst
}

func appendFieldString(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

func appendFieldBytes(dst []byte, name, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}
