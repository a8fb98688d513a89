package admin

import (
	"bytes"
	"encoding/json"
	"errors"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/emptypb"
)

// LenientResolver resolves the message types linked into this binary and
// stands in an empty message for any other type URL. With it, JSON holding
// Envoy types Loom does not link (a rejected resource's unknown filter, a
// real Envoy's config dump) still marshals and unmarshals: the unknown
// messages' contents are skipped instead of failing the whole document.
type LenientResolver struct{}

var _ interface {
	protoregistry.MessageTypeResolver
	protoregistry.ExtensionTypeResolver
} = LenientResolver{}

// FindMessageByName resolves a linked message type or falls back to Empty.
func (LenientResolver) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(name)
	if errors.Is(err, protoregistry.NotFound) {
		return (&emptypb.Empty{}).ProtoReflect().Type(), nil
	}
	return mt, err
}

// FindMessageByURL resolves a linked message type or falls back to Empty.
func (LenientResolver) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(url)
	if errors.Is(err, protoregistry.NotFound) {
		return (&emptypb.Empty{}).ProtoReflect().Type(), nil
	}
	return mt, err
}

// FindExtensionByName resolves linked extensions only.
func (LenientResolver) FindExtensionByName(name protoreflect.FullName) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByName(name)
}

// FindExtensionByNumber resolves linked extensions only.
func (LenientResolver) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByNumber(message, field)
}

// MarshalJSON renders m as Envoy's admin endpoints do: proto field names,
// one-space indentation. (protojson varies its whitespace on purpose; the
// output is re-indented so it is stable.)
func MarshalJSON(m proto.Message) ([]byte, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: LenientResolver{}}.Marshal(m)
	if err != nil {
		return nil, err
	}
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return nil, err
	}
	if err := json.Indent(&out, compact.Bytes(), "", " "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// UnmarshalJSON reads Envoy admin JSON, ignoring unknown fields, enum values
// and message types.
func UnmarshalJSON(b []byte, m proto.Message) error {
	return protojson.UnmarshalOptions{DiscardUnknown: true, Resolver: LenientResolver{}}.Unmarshal(b, m)
}
