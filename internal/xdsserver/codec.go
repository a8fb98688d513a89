package xdsserver

import (
	"bytes"
	"hash/maphash"
	"slices"
	"sync"
	"unicode/utf8"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the "proto" codec wrapped here
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// requestCodec is gRPC's proto codec, except that it decodes the resource
// names of a DiscoveryRequest (and those a DeltaDiscoveryRequest subscribes
// to) through a cache of the name lists seen recently.
//
// Why: Envoy repeats every name it subscribes to in every request, ACKs
// included, and the proxies of a scope subscribe to the same names. With
// 1,000 proxies watching 300 load assignments each, one endpoint push made
// the server decode 300,000 strings (each checked for UTF-8 and allocated)
// and keep a copy per proxy, only to learn what it knew. A list seen before
// now costs a hash and a comparison of its bytes, and every request carrying
// it shares one []string (read-only, as every decoded request is), which also
// makes comparing it with a stream's previous list O(1).
//
// Anything unusual (a parse error, invalid UTF-8, names not in one run of
// length-delimited field-3 entries, as every encoder writes them) goes
// through proto.Unmarshal whole, so results and errors are exactly proto's.
type requestCodec struct {
	proto encoding.CodecV2
	lists *nameLists
}

func newRequestCodec() *requestCodec {
	return &requestCodec{proto: encoding.GetCodecV2("proto"), lists: newNameLists(256)}
}

func (c *requestCodec) Name() string { return c.proto.Name() }

func (c *requestCodec) Marshal(v any) (mem.BufferSlice, error) { return c.proto.Marshal(v) }

func (c *requestCodec) Unmarshal(data mem.BufferSlice, v any) error {
	var names *[]string
	switch req := v.(type) {
	case *discovery.DiscoveryRequest:
		names = &req.ResourceNames
	case *discovery.DeltaDiscoveryRequest:
		names = &req.ResourceNamesSubscribe // same field number: go-control-plane keeps these too
	default:
		return c.proto.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	return c.lists.unmarshal(buf.ReadOnlyData(), v.(proto.Message), names)
}

// resourceNamesField is DiscoveryRequest.resource_names and
// DeltaDiscoveryRequest.resource_names_subscribe.
const resourceNamesField = 3

// nameLists caches decoded name lists by their encoded bytes.
type nameLists struct {
	seed maphash.Seed
	max  int

	mu    sync.Mutex
	lists map[uint64]*nameList
}

type nameList struct {
	raw   []byte // the field-3 entries as encoded, tags included
	names []string
}

func newNameLists(max int) *nameLists {
	return &nameLists{seed: maphash.MakeSeed(), max: max, lists: make(map[uint64]*nameList)}
}

// unmarshal decodes b into m, whose field 3 (names) it decodes through the
// cache.
func (l *nameLists) unmarshal(b []byte, m proto.Message, names *[]string) error {
	start, end, ok := namesSpan(b)
	if !ok || start == end {
		return proto.Unmarshal(b, m)
	}
	cached := l.lookup(b[start:end])
	if cached == nil {
		return proto.Unmarshal(b, m) // invalid UTF-8: proto says so
	}
	rest := make([]byte, 0, len(b)-(end-start))
	rest = append(append(rest, b[:start]...), b[end:]...)
	if err := proto.Unmarshal(rest, m); err != nil {
		return err
	}
	*names = cached
	return nil
}

// lookup returns the names raw encodes, decoding them if not cached; nil if
// a name is not valid UTF-8.
func (l *nameLists) lookup(raw []byte) []string {
	h := maphash.Bytes(l.seed, raw)
	l.mu.Lock()
	e := l.lists[h]
	l.mu.Unlock()
	if e != nil && bytes.Equal(e.raw, raw) {
		return e.names
	}
	names := decodeNames(raw)
	if names == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lists) >= l.max {
		for k := range l.lists { // evict one, at random
			delete(l.lists, k)
			break
		}
	}
	l.lists[h] = &nameList{raw: bytes.Clone(raw), names: names}
	return names
}

// namesSpan finds the resource names in an encoded request: the
// run of field-3 entries, [start, end); empty when there are none. ok is
// false when b does not parse or field 3 is anything but one run of
// length-delimited entries.
func namesSpan(b []byte) (start, end int, ok bool) {
	for i := 0; i < len(b); {
		num, typ, n := protowire.ConsumeTag(b[i:])
		if n < 0 {
			return 0, 0, false
		}
		m := protowire.ConsumeFieldValue(num, typ, b[i+n:])
		if m < 0 {
			return 0, 0, false
		}
		switch {
		case num != resourceNamesField:
			i += n + m
		case typ != protowire.BytesType || start != end:
			return 0, 0, false // not length-delimited, or a second run
		default:
			start, end = i, runEnd(b, i+n+m)
			if end < 0 {
				return 0, 0, false
			}
			i = end
		}
	}
	return start, end, true
}

// nameTag is the one-byte tag of a resource_names entry.
const nameTag = resourceNamesField<<3 | byte(protowire.BytesType)

// runEnd returns where the run of resource_names entries that goes on at i
// ends, or -1 if one is truncated. A tight loop: a run has thousands.
func runEnd(b []byte, i int) int {
	for i < len(b) && b[i] == nameTag {
		l, n := protowire.ConsumeVarint(b[i+1:])
		if n < 0 || l > uint64(len(b)-i-1-n) {
			return -1
		}
		i += 1 + n + int(l)
	}
	return i
}

// decodeNames decodes a run of field-3 entries; nil if one is not UTF-8.
func decodeNames(raw []byte) []string {
	var names []string
	for len(raw) > 0 {
		_, _, n := protowire.ConsumeTag(raw)
		v, m := protowire.ConsumeBytes(raw[n:])
		if !utf8.Valid(v) {
			return nil
		}
		names = append(names, string(v))
		raw = raw[n+m:]
	}
	return slices.Clip(names) // shared: an append must copy
}
