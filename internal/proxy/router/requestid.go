package router

import "math/rand/v2"

const hexDigits = "0123456789abcdef"

// AppendRequestID appends a random version 4 UUID (for x-request-id) to dst
// without allocating. The randomness is math/rand's per-thread generator:
// request ids must be unique, not unpredictable.
func AppendRequestID(dst []byte) []byte {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		b[i], b[8+i] = byte(hi>>(8*i)), byte(lo>>(8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[v>>4], hexDigits[v&0x0f])
	}
	return dst
}
