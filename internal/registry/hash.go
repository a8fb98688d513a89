package registry

import (
	"hash"
	"hash/fnv"
	"slices"
	"strconv"
)

// fingerprint accumulates a content hash. Field separators keep ("ab","c")
// and ("a","bc") apart.
type fingerprint struct{ h hash.Hash64 }

func newFingerprint() fingerprint { return fingerprint{h: fnv.New64a()} }

func (f fingerprint) str(s string) {
	f.h.Write([]byte(s))
	f.h.Write([]byte{0})
}

func (f fingerprint) num(n uint64) { f.str(strconv.FormatUint(n, 36)) }

func (f fingerprint) strs(list []string) {
	f.num(uint64(len(list)))
	for _, s := range list {
		f.str(s)
	}
}

func (f fingerprint) labels(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	f.num(uint64(len(keys)))
	for _, k := range keys {
		f.str(k)
		f.str(m[k])
	}
}

func (f fingerprint) sum() uint64 { return f.h.Sum64() }

// serviceRevision hashes every field of s but Revision.
func serviceRevision(s *Service) uint64 {
	f := newFingerprint()
	f.str(s.Hostname)
	f.str(s.Namespace)
	f.str(s.Origin.String())
	f.strs(s.Addresses)
	for _, p := range s.Ports {
		f.str(p.Name)
		f.num(uint64(p.Number))
		f.str(string(p.Protocol))
		f.num(uint64(p.TargetPort))
	}
	f.num(uint64(s.Resolution))
	if s.MeshExternal {
		f.str("external")
	}
	f.str(s.ExportTo.String())
	return f.sum()
}

// endpointsRevision hashes a sorted endpoint list.
func endpointsRevision(eps []*Endpoint) uint64 {
	f := newFingerprint()
	for _, e := range eps {
		f.str(e.Address)
		f.num(uint64(e.Port))
		f.labels(e.Labels)
		f.str(e.Locality.String())
		f.num(uint64(e.Weight))
		f.str(e.Network)
		f.str(e.ServiceAccount)
		if e.Workload != nil {
			f.str(e.Workload.Namespace + "/" + e.Workload.Name)
		}
	}
	return f.sum()
}
