package http1

// maxChunkSizeDigits keeps a chunk size within int64.
const maxChunkSizeDigits = 15

// parseChunkSizeLine parses "chunk-size [ chunk-ext ]" (RFC 9112 7.1) without
// the CRLF. Extensions are checked for syntax and dropped.
func parseChunkSizeLine(line []byte) (int64, bool) {
	var size int64
	i := 0
	for ; i < len(line); i++ {
		v, ok := hexValue(line[i])
		if !ok {
			break
		}
		if i == maxChunkSizeDigits {
			return 0, false
		}
		size = size<<4 | int64(v)
	}
	if i == 0 {
		return 0, false
	}
	return size, validChunkExt(line[i:])
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// validChunkExt checks *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
// Whitespace is allowed only around the separators, not at the end.
func validChunkExt(b []byte) bool {
	for len(b) > 0 {
		b = skipBWS(b)
		if len(b) == 0 || b[0] != ';' {
			return false
		}
		b = skipBWS(b[1:])
		n := tokenPrefix(b)
		if n == 0 {
			return false
		}
		b = b[n:]
		if rest := skipBWS(b); len(rest) > 0 && rest[0] == '=' {
			var ok bool
			if b, ok = skipExtValue(skipBWS(rest[1:])); !ok {
				return false
			}
		}
	}
	return true
}

func skipBWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func tokenPrefix(b []byte) int {
	n := 0
	for n < len(b) && isTokenChar(b[n]) {
		n++
	}
	return n
}

// skipExtValue skips a token or quoted-string and returns the rest.
func skipExtValue(b []byte) ([]byte, bool) {
	if len(b) > 0 && b[0] == '"' {
		return skipQuoted(b[1:])
	}
	n := tokenPrefix(b)
	return b[n:], n > 0
}

func skipQuoted(b []byte) ([]byte, bool) {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return b[i+1:], true
		case c == '\\':
			i++
			if i == len(b) || !isValueChar(b[i]) {
				return nil, false
			}
		case !isValueChar(c):
			return nil, false
		}
	}
	return nil, false
}
