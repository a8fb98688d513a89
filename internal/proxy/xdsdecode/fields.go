package xdsdecode

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// OnlyFields rejects the first populated field of m (in declaration order)
// whose name is not allowed, and any field unknown to this build's protos:
// a field the proxy would not act on is an error, never silently dropped.
func OnlyFields(m proto.Message, allowed ...string) error {
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if r.Has(f) && !slices.Contains(allowed, string(f.Name())) {
			return Errorf(string(f.Name()), "not supported")
		}
	}
	if unknown := r.GetUnknown(); len(unknown) > 0 {
		num, _, _ := protowire.ConsumeTag(unknown)
		return Errorf("", "unknown field number %d: not supported", num)
	}
	return nil
}

// validator is what protoc-gen-validate generates on every Envoy message.
type validator interface{ ValidateAll() error }

// Validate runs the message's protoc-gen-validate rules (ValidateAll).
func Validate(m proto.Message) error {
	v, ok := m.(validator)
	if !ok {
		return nil
	}
	if err := v.ValidateAll(); err != nil {
		return Errorf("", "invalid: %s", flattenValidation(err))
	}
	return nil
}

// flattenValidation joins a ValidateAll multi-error into one line.
func flattenValidation(err error) string {
	type multi interface{ AllErrors() []error }
	var m multi
	if errors.As(err, &m) {
		parts := make([]string, 0, len(m.AllErrors()))
		for _, e := range m.AllErrors() {
			parts = append(parts, e.Error())
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// Unpack decodes a typed_config Any into m and validates it. The error names
// the expected type when the Any holds another one.
func Unpack(a *anypb.Any, m proto.Message) error {
	if a == nil {
		return Errorf("", "required")
	}
	want := string(m.ProtoReflect().Descriptor().FullName())
	if got := TypeName(a); got != want {
		return Errorf("", "type %q: want %q", got, want)
	}
	if err := proto.Unmarshal(a.GetValue(), m); err != nil {
		return Errorf("", "decode %s: %v", want, err)
	}
	return Validate(m)
}

// TypeName is the fully qualified message name in an Any's type URL.
func TypeName(a *anypb.Any) string {
	url := a.GetTypeUrl()
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		return url[i+1:]
	}
	return url
}

// Duration converts d, returning def when d is unset. Negative or
// out-of-range durations are errors at path.
func Duration(d *durationpb.Duration, def time.Duration, path string) (time.Duration, error) {
	if d == nil {
		return def, nil
	}
	if err := d.CheckValid(); err != nil {
		return 0, Errorf(path, "%v", err)
	}
	v := d.AsDuration()
	if v < 0 {
		return 0, Errorf(path, "must not be negative")
	}
	return v, nil
}

// Index renders a repeated-field path element: Index("routes", 2) is "routes[2]".
func Index(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}

// Key renders a map-field path element: Key("typed_per_filter_config", "x") is `typed_per_filter_config["x"]`.
func Key(field, key string) string {
	return fmt.Sprintf("%s[%q]", field, key)
}

// SortedKeys returns a map's keys in order, so errors about map entries are
// deterministic.
func SortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// Disabled is what an idle timeout of 0s ("disabled" in Envoy) decodes to
// where the plain structs read 0 as "Envoy's default": a duration that never
// elapses.
const Disabled = time.Duration(math.MaxInt64)

// IdleTimeout converts an Envoy idle timeout: unset is def, 0s disables it
// (Disabled).
func IdleTimeout(d *durationpb.Duration, def time.Duration, path string) (time.Duration, error) {
	v, err := Duration(d, def, path)
	if err == nil && d != nil && v == 0 {
		v = Disabled
	}
	return v, err
}
