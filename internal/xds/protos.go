package xds

import (
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

type anyMessage = anypb.Any

// mustAny packs msg with deterministic bytes, so equal configs marshal to
// equal resources. Envoy's generated messages only fail to marshal on
// invalid UTF-8, which parsed YAML cannot hold; should it happen, the Any
// carries the type alone and the proxy rejects the resource by name.
func mustAny(msg proto.Message) *anypb.Any {
	a := &anypb.Any{TypeUrl: "type.googleapis.com/" + string(msg.ProtoReflect().Descriptor().FullName())}
	if b, err := (proto.MarshalOptions{Deterministic: true}).Marshal(msg); err == nil {
		a.Value = b
	}
	return a
}

// durationOr converts an optional duration, nil being zero: Envoy reads a
// zero route timeout as "none" (its own default is 15 s).
func durationOr(d *durationpb.Duration) *durationpb.Duration {
	if d == nil {
		return durationZero()
	}
	return durationpb.New(d.AsDuration())
}

func durationZero() *durationpb.Duration { return durationpb.New(0) }

func seconds(n int) *durationpb.Duration { return durationpb.New(time.Duration(n) * time.Second) }

func uint32Value(v uint32) *wrapperspb.UInt32Value { return wrapperspb.UInt32(v) }

// adsSource is `{ads: {}}`: fetch over the proxy's one ADS stream.
func adsSource() *corev3.ConfigSource {
	return &corev3.ConfigSource{
		ResourceApiVersion:    corev3.ApiVersion_V3,
		ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
	}
}

func socketAddress(host string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address:       host,
		PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func regexRewrite(pattern, substitution string) *matcherv3.RegexMatchAndSubstitute {
	return &matcherv3.RegexMatchAndSubstitute{
		Pattern:      &matcherv3.RegexMatcher{Regex: pattern},
		Substitution: substitution,
	}
}
