package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

func (c *schemaChecker) scalar(kind protoreflect.Kind, v any, path string) {
	switch kind {
	case protoreflect.StringKind, protoreflect.BytesKind:
		if _, ok := v.(string); !ok {
			c.report(path, "must be a string, not %s", jsonType(v))
		}
	case protoreflect.BoolKind:
		if _, ok := v.(bool); !ok {
			c.report(path, "must be true or false, not %s", jsonType(v))
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		if !isFloat(v) {
			c.report(path, "must be a number, not %s", describe(v))
		}
	default:
		c.integer(kind, v, path)
	}
}

// integer checks an integer, given as a JSON number or a quoted number as protojson allows.
func (c *schemaChecker) integer(kind protoreflect.Kind, v any, path string) {
	var text string
	switch val := v.(type) {
	case json.Number:
		text = val.String()
	case string:
		text = val
	default:
		c.report(path, "must be an integer, not %s", jsonType(v))
		return
	}
	lo, hi := integerRange(kind)
	n, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil || n != math.Trunc(n):
		c.report(path, "must be an integer, not %s", describe(v))
	case n < lo || n > hi:
		c.report(path, "%s is out of range %.0f..%.0f", text, lo, hi)
	}
}

func integerRange(kind protoreflect.Kind) (lo, hi float64) {
	switch kind {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return math.MinInt32, math.MaxInt32
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return 0, math.MaxUint32
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return 0, math.MaxUint64
	}
	return math.MinInt64, math.MaxInt64
}

func isFloat(v any) bool {
	switch val := v.(type) {
	case json.Number:
		return true
	case string:
		if val == "NaN" || val == "Infinity" || val == "-Infinity" {
			return true
		}
		_, err := strconv.ParseFloat(val, 64)
		return err == nil
	}
	return false
}

func isWellKnown(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile() != nil && strings.HasPrefix(string(md.FullName()), "google.protobuf.")
}

// wellKnown checks the JSON forms of google.protobuf types.
func (c *schemaChecker) wellKnown(md protoreflect.MessageDescriptor, v any, path string) any {
	switch md.FullName() {
	case "google.protobuf.Duration":
		return c.duration(v, path)
	case "google.protobuf.Struct", "google.protobuf.Any", "google.protobuf.Empty":
		if _, ok := v.(map[string]any); !ok {
			c.report(path, "must be an object, not %s", jsonType(v))
		}
	case "google.protobuf.ListValue":
		if _, ok := v.([]any); !ok {
			c.report(path, "must be a list, not %s", jsonType(v))
		}
	case "google.protobuf.Value":
	case "google.protobuf.Timestamp", "google.protobuf.FieldMask":
		c.scalar(protoreflect.StringKind, v, path)
	default: // wrappers: the JSON form is the wrapped value
		if fd := md.Fields().ByName("value"); fd != nil {
			c.scalar(fd.Kind(), v, path)
		}
	}
	return v
}

// duration accepts Go durations ("1m30s", "500ms"), as Istio users write them,
// and returns the seconds form ("90.000000000s") that protojson reads.
func (c *schemaChecker) duration(v any, path string) any {
	s, ok := v.(string)
	if !ok {
		c.report(path, "must be a duration string like 10s or 500ms, not %s", describe(v))
		return v
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		c.report(path, "invalid duration %q: use a number with a unit (10s, 500ms, 1m)", s)
		return v
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%d.%09ds", sign, d/time.Second, d%time.Second)
}

// jsonType names a JSON value's type for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// describe shows a scalar value as written, or its type for lists and objects.
func describe(v any) string {
	switch val := v.(type) {
	case string:
		return strconv.Quote(val)
	case json.Number:
		return val.String()
	case bool:
		return strconv.FormatBool(val)
	}
	return jsonType(v)
}
