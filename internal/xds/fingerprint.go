package xds

import (
	"hash"
	"hash/fnv"
	"strconv"
)

// fingerprint accumulates a content hash of a resource's inputs.
type fingerprint struct{ h hash.Hash64 }

func newFingerprint() fingerprint { return fingerprint{h: fnv.New64a()} }

func (f fingerprint) str(s string) {
	f.h.Write([]byte(s))
	f.h.Write([]byte{0})
}

func (f fingerprint) num(n uint64) { f.str(strconv.FormatUint(n, 36)) }

func (f fingerprint) sum() uint64 { return f.h.Sum64() }
