package xdsserver

import "strconv"

// setVersion accumulates a version for a set of (name, version) pairs. The
// result does not depend on the order pairs are added in, so no sorting is
// needed: it is a sum of per-pair FNV-1a hashes, mixed with the count. Being
// a sum, it can also be updated: remove a pair's hash, add another's, and the
// version of a large set follows a small change at the cost of the change.
type setVersion struct {
	sum uint64
	n   uint64
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// pairHash is one (name, version) pair's contribution to a setVersion.
func pairHash(name, version string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * fnvPrime
	}
	h = (h ^ 0xff) * fnvPrime // separator that cannot occur in UTF-8 text
	for i := 0; i < len(version); i++ {
		h = (h ^ uint64(version[i])) * fnvPrime
	}
	return mix(h)
}

// addHash adds a pair by its pairHash.
func (v *setVersion) addHash(h uint64) {
	v.sum += h
	v.n++
}

// removeHash takes out a pair added before (unsigned arithmetic wraps, so
// adding then removing restores the version exactly).
func (v *setVersion) removeHash(h uint64) {
	v.sum -= h
	v.n--
}

// String renders the version: 16 hex digits.
func (v *setVersion) String() string {
	h := mix(v.sum ^ mix(v.n+1))
	s := strconv.FormatUint(h, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// mix is splitmix64's finalizer: it spreads FNV's weak low bits before summing.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
