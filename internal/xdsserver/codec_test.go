package xdsserver

import (
	"testing"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// checkDecodesLikeProto decodes b as a DiscoveryRequest and as a
// DeltaDiscoveryRequest with the cache (twice: miss, then hit) and with
// proto.Unmarshal, and fails unless both agree.
func checkDecodesLikeProto(t *testing.T, lists *nameLists, b []byte) {
	t.Helper()
	sotw := func() (proto.Message, *[]string) {
		m := &discovery.DiscoveryRequest{}
		return m, &m.ResourceNames
	}
	delta := func() (proto.Message, *[]string) {
		m := &discovery.DeltaDiscoveryRequest{}
		return m, &m.ResourceNamesSubscribe
	}
	for _, newMsg := range []func() (proto.Message, *[]string){sotw, delta} {
		want, _ := newMsg()
		wantErr := proto.Unmarshal(b, want)
		for _, pass := range []string{"first", "second"} {
			got, names := newMsg()
			err := lists.unmarshal(b, got, names)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%T, %s decode: error %v, proto.Unmarshal's %v (input %x)", got, pass, err, wantErr, b)
			}
			if err == nil && !proto.Equal(got, want) {
				t.Fatalf("%T, %s decode:\n got %v\nwant %v (input %x)", got, pass, got, want, b)
			}
		}
	}
}

func TestRequestCodecDecodesLikeProto(t *testing.T) {
	node := &core.Node{Id: "sidecar~127.0.0.1~a.default~default.svc.cluster.local"}
	full := &discovery.DiscoveryRequest{VersionInfo: "v1", Node: node, TypeUrl: "t", ResponseNonce: "7",
		ResourceNames: []string{"a", "b", ""}, ErrorDetail: &rpcstatus.Status{Message: "no"}}
	encoded := func(m proto.Message) []byte { b, _ := proto.Marshal(m); return b }
	nameEntry := func(s string) []byte {
		return protowire.AppendString(protowire.AppendTag(nil, resourceNamesField, protowire.BytesType), s)
	}
	split := append(append(nameEntry("a"), encoded(&discovery.DiscoveryRequest{TypeUrl: "t"})...), nameEntry("b")...)
	wrongType := protowire.AppendVarint(protowire.AppendTag(nil, resourceNamesField, protowire.VarintType), 5)
	tests := map[string][]byte{
		"full request":          encoded(full),
		"no names":              encoded(&discovery.DiscoveryRequest{TypeUrl: "t", ResponseNonce: "1"}),
		"names only":            encoded(&discovery.DiscoveryRequest{ResourceNames: []string{"x", "y"}}),
		"names in two runs":     split,
		"invalid UTF-8 name":    append(nameEntry("ok"), nameEntry("\xff")...),
		"names field as varint": append(nameEntry("a"), wrongType...),
		"truncated":             encoded(full)[:20],
		"empty":                 nil,
		"unknown field kept":    append(nameEntry("a"), protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1)...),
		"last nonce wins":       append(encoded(&discovery.DiscoveryRequest{ResponseNonce: "1", ResourceNames: []string{"a"}}), encoded(&discovery.DiscoveryRequest{ResponseNonce: "2"})...),
		"delta request": encoded(&discovery.DeltaDiscoveryRequest{Node: node, TypeUrl: "t", ResourceNamesSubscribe: []string{"a", "b"},
			ResourceNamesUnsubscribe: []string{"c"}, InitialResourceVersions: map[string]string{"a": "1"}, ResponseNonce: "4"}),
		"non-minimal name tag":   []byte("\x9a\x00"),
		"names after odd tag":    append([]byte("\x9a\x00"), nameEntry("a")...),
		"same names, other rest": encoded(&discovery.DiscoveryRequest{VersionInfo: "v2", ResourceNames: []string{"a", "b", ""}}),
	}
	lists := newNameLists(2) // small: eviction runs too
	for name, b := range tests {
		t.Run(name, func(t *testing.T) { checkDecodesLikeProto(t, lists, b) })
	}
}

func TestRequestCodecSharesEqualLists(t *testing.T) {
	lists := newNameLists(8)
	b1, _ := proto.Marshal(&discovery.DiscoveryRequest{ResponseNonce: "1", ResourceNames: []string{"a", "b"}})
	b2, _ := proto.Marshal(&discovery.DiscoveryRequest{ResponseNonce: "2", ResourceNames: []string{"a", "b"}})
	var r1, r2 discovery.DiscoveryRequest
	if err := lists.unmarshal(b1, &r1, &r1.ResourceNames); err != nil {
		t.Fatal(err)
	}
	if err := lists.unmarshal(b2, &r2, &r2.ResourceNames); err != nil {
		t.Fatal(err)
	}
	if !sameSlice(r1.ResourceNames, r2.ResourceNames) || r2.ResponseNonce != "2" {
		t.Errorf("equal name lists not shared: %p %p (nonce %q)", r1.ResourceNames, r2.ResourceNames, r2.ResponseNonce)
	}
	if cap(r1.ResourceNames) != len(r1.ResourceNames) {
		t.Error("shared list has spare capacity: an append would write into it")
	}
}

// FuzzRequestCodec: whatever the bytes, decoding through the name cache
// agrees with proto.Unmarshal (go test -fuzz FuzzRequestCodec).
func FuzzRequestCodec(f *testing.F) {
	for _, m := range []*discovery.DiscoveryRequest{
		{VersionInfo: "1", ResourceNames: []string{"outbound|9080||a.default.svc.cluster.local", "b"}, TypeUrl: "t", ResponseNonce: "3"},
		{Node: &core.Node{Id: "n"}, ResourceNames: []string{"*"}},
		{},
	} {
		b, _ := proto.Marshal(m)
		f.Add(b)
	}
	b, _ := proto.Marshal(&discovery.DeltaDiscoveryRequest{ResourceNamesSubscribe: []string{"a"}, ResourceNamesUnsubscribe: []string{"b"},
		InitialResourceVersions: map[string]string{"a": "1"}})
	f.Add(b)
	lists := newNameLists(4)
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodesLikeProto(t, lists, b) })
}
