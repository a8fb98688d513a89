package adstest

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// nameOf reads field 1 (name, or cluster_name for a ClusterLoadAssignment)
// of a marshaled resource without decoding the rest.
func nameOf(b []byte) (string, error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", protowire.ParseError(n)
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return "", protowire.ParseError(n)
			}
			return string(v), nil
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return "", protowire.ParseError(n)
		}
		b = b[n:]
	}
	return "", errors.New("resource has no name (field 1)")
}
