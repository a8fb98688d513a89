package config

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// schemaChecker walks a decoded JSON value against a message descriptor before
// protojson sees it, so that every unknown field and mistyped value is reported
// with its path (protojson stops at the first and names only a byte offset).
// It also rewrites Go-style durations ("1m30s") to the form protojson reads.
type schemaChecker struct {
	problems []fieldProblem
}

type fieldProblem struct {
	field, reason string
}

func (c *schemaChecker) report(path, format string, args ...any) {
	c.problems = append(c.problems, fieldProblem{field: path, reason: fmt.Sprintf(format, args...)})
}

// message checks one JSON object against md and returns it, normalized.
func (c *schemaChecker) message(md protoreflect.MessageDescriptor, v any, path string) any {
	if isWellKnown(md) {
		return c.wellKnown(md, v, path)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		c.report(path, "must be an object, not %s", jsonType(v))
		return v
	}
	oneofs := make(map[protoreflect.FullName]string)
	for _, key := range sortedKeys(obj) {
		fieldPath := joinField(path, key)
		fd := lookupField(md, key)
		if fd == nil {
			c.report(fieldPath, "unknown field")
			continue
		}
		if obj[key] == nil {
			continue // null means unset, as in protojson
		}
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			if other, seen := oneofs[od.FullName()]; seen {
				c.report(fieldPath, "only one of %s and %s may be set", other, key)
				continue
			}
			oneofs[od.FullName()] = key
		}
		obj[key] = c.field(fd, obj[key], fieldPath)
	}
	return obj
}

// lookupField finds a field by its JSON name or its proto name, as protojson does.
func lookupField(md protoreflect.MessageDescriptor, key string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	if fd := fields.ByJSONName(key); fd != nil {
		return fd
	}
	return fields.ByName(protoreflect.Name(key))
}

func (c *schemaChecker) field(fd protoreflect.FieldDescriptor, v any, path string) any {
	switch {
	case fd.IsMap():
		return c.mapField(fd, v, path)
	case fd.IsList():
		list, ok := v.([]any)
		if !ok {
			c.report(path, "must be a list, not %s", jsonType(v))
			return v
		}
		for i := range list {
			list[i] = c.singular(fd, list[i], fmt.Sprintf("%s[%d]", path, i))
		}
		return list
	}
	return c.singular(fd, v, path)
}

func (c *schemaChecker) mapField(fd protoreflect.FieldDescriptor, v any, path string) any {
	obj, ok := v.(map[string]any)
	if !ok {
		c.report(path, "must be a map, not %s", jsonType(v))
		return v
	}
	for _, key := range sortedKeys(obj) {
		obj[key] = c.singular(fd.MapValue(), obj[key], joinField(path, key))
	}
	return obj
}

// singular checks one value of a field's kind.
func (c *schemaChecker) singular(fd protoreflect.FieldDescriptor, v any, path string) any {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return c.message(fd.Message(), v, path)
	case protoreflect.EnumKind:
		c.enum(fd.Enum(), v, path)
	default:
		c.scalar(fd.Kind(), v, path)
	}
	return v
}

func (c *schemaChecker) enum(ed protoreflect.EnumDescriptor, v any, path string) {
	switch val := v.(type) {
	case string:
		if ed.Values().ByName(protoreflect.Name(val)) != nil {
			return
		}
	case json.Number:
		if _, err := val.Int64(); err == nil {
			return
		}
	}
	names := make([]string, 0, ed.Values().Len())
	for i := 0; i < ed.Values().Len(); i++ {
		names = append(names, string(ed.Values().Get(i).Name()))
	}
	hint := ""
	if _, isBool := v.(bool); isBool {
		hint = " (YAML reads unquoted on/off/yes/no as booleans: quote it)"
	}
	c.report(path, "invalid value %s%s: must be one of %s", describe(v), hint, strings.Join(names, ", "))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// joinField appends a map key or field name to a path: `spec.hosts`,
// `spec.subsets[0].labels["app.kubernetes.io/name"]` for keys that are not plain names.
func joinField(path, key string) string {
	plain := key != "" && !strings.ContainsAny(key, ".[]\"/ ")
	switch {
	case path == "":
		return key
	case plain:
		return path + "." + key
	}
	return fmt.Sprintf("%s[%q]", path, key)
}
