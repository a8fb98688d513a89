package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// decoded is one object as read from a document. obj is nil when it did not
// decode; key is zero when not even the header identified an object.
type decoded struct {
	key      Key
	source   string
	obj      *Object
	problems []Problem
}

// valid reports whether the object decoded and no problem rejects it.
func (d *decoded) valid() bool {
	return d.obj != nil && !hasError(d.problems)
}

func hasError(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// decodeObject reads one object. prefix is prepended to field paths (for List items).
func decodeObject(source, prefix string, m map[string]any) decoded {
	h, problems := decodeHeader(source, prefix, m)
	if h == nil {
		return decoded{source: source, problems: problems}
	}
	fail := func(field, reason string) {
		problems = append(problems, Problem{Key: h.key, Source: source, Field: prefix + field, Reason: reason})
	}
	for _, k := range unknownKeys(m, isObjectField) {
		fail(joinField("", k), "unknown field")
	}
	labels := stringMap(h.meta, "labels", fail)
	annotations := stringMap(h.meta, "annotations", fail)
	spec := newSpec(h.key.Kind)
	var warnings []Problem
	for _, w := range upgradeLegacy(h.key.Kind, m["spec"]) {
		warnings = append(warnings, Problem{Key: h.key, Source: source, Field: prefix + w.field, Reason: w.reason, Severity: SeverityWarning})
	}
	checker := &schemaChecker{}
	normalized := checker.message(spec.ProtoReflect().Descriptor(), orEmpty(m["spec"]), "spec")
	for _, p := range checker.problems {
		fail(p.field, p.reason)
	}
	if len(problems) == 0 {
		if err := unmarshalSpec(normalized, spec); err != nil {
			fail("spec", err.Error())
		}
	}
	if len(problems) > 0 {
		return decoded{key: h.key, source: source, problems: append(warnings, problems...)}
	}
	o := &Object{Key: h.key, Labels: labels, Annotations: annotations, Spec: spec, Source: source}
	o.Revision = revision(o)
	return decoded{key: h.key, source: source, obj: o, problems: warnings}
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

func unmarshalSpec(tree any, spec proto.Message) error {
	js, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("re-encoding spec: %w", err)
	}
	if err := protojson.Unmarshal(js, spec); err != nil {
		return fmt.Errorf("decoding spec: %w", err)
	}
	return nil
}

// stringMap reads metadata.labels or metadata.annotations: string keys to string values.
func stringMap(meta map[string]any, name string, fail func(field, reason string)) map[string]string {
	raw, present := meta[name]
	if !present || raw == nil {
		return nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		fail("metadata."+name, "must be a map of strings, not "+jsonType(raw))
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			fail(joinField("metadata."+name, k), "must be a string, not "+describe(v)+" (quote it)")
			continue
		}
		out[k] = s
	}
	return out
}

func unknownKeys(m map[string]any, known func(string) bool) []string {
	var unknown []string
	for k := range m {
		if !known(k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// revision is a hash of everything that makes up an object's content.
func revision(o *Object) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", o.Kind, o.Namespace, o.Name)
	writeMap(h, o.Labels)
	writeMap(h, o.Annotations)
	spec, err := proto.MarshalOptions{Deterministic: true}.Marshal(o.Spec)
	if err != nil {
		spec = []byte(err.Error())
	}
	h.Write(spec)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func writeMap(w interface{ Write([]byte) (int, error) }, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s=%s\x00", k, m[k])
	}
	fmt.Fprint(w, "\x01")
}
