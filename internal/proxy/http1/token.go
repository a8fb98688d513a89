package http1

import "strings"

// tchar bits (RFC 9110 5.6.2) for bytes 0-63 and 64-127.
const (
	tokenLow uint64 = 1<<'!' | 1<<'#' | 1<<'$' | 1<<'%' | 1<<'&' | 1<<'\'' |
		1<<'*' | 1<<'+' | 1<<'-' | 1<<'.' | ((1<<10)-1)<<'0'
	tokenHigh uint64 = ((1<<26)-1)<<('A'-64) | 1<<('^'-64) | 1<<('_'-64) |
		1<<('`'-64) | ((1<<26)-1)<<('a'-64) | 1<<('|'-64) | 1<<('~'-64)
)

func isTokenChar(c byte) bool {
	if c < 64 {
		return tokenLow>>c&1 == 1
	}
	if c < 128 {
		return tokenHigh>>(c-64)&1 == 1
	}
	return false
}

func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isTokenChar(c) {
			return false
		}
	}
	return true
}

// isValueChar reports whether c may appear in a field value: VCHAR, obs-text,
// SP and HTAB. CR, LF, NUL and the other controls may not.
func isValueChar(c byte) bool {
	return c >= 0x20 && c != 0x7f || c == '\t'
}

func validValue(b []byte) bool {
	for _, c := range b {
		if !isValueChar(c) {
			return false
		}
	}
	return true
}

func validValueString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isValueChar(s[i]) {
			return false
		}
	}
	return true
}

func validTokenString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isTargetChar reports whether c may appear in a request target: anything
// visible, including obs-text; no controls, no space.
func isTargetChar(c byte) bool {
	return c > 0x20 && c != 0x7f
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// equalFold compares an ASCII name with a string, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func equalFoldStrings(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// nextListElem splits a comma-separated field value (RFC 9110 5.6.1): it
// returns the first element, trimmed, and the rest. Empty elements are
// returned as empty slices; callers skip them.
func nextListElem(b []byte) (elem, rest []byte) {
	for i, c := range b {
		if c == ',' {
			return trimOWS(b[:i]), b[i+1:]
		}
	}
	return trimOWS(b), nil
}

// validAuthority accepts uri-host [":" port] characters (RFC 3986: unreserved,
// sub-delims, ':', '[', ']' and pct-encoding's '%'); it rejects userinfo ('@'),
// path and query delimiters, whitespace and everything non-ASCII.
func validAuthority(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:[]%", c) >= 0:
		default:
			return false
		}
	}
	return true
}
