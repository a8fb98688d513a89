package http1

import (
	"bytes"
	"iter"
)

// known identifies the fields the codec itself interprets.
type known uint8

const (
	knownNone known = iota
	knownHost
	knownContentLength
	knownTransferEncoding
	knownConnection
	knownKeepAlive
	knownProxyConnection
	knownTE
	knownUpgrade
	knownExpect
	knownTrailer
	knownProxyAuthenticate
	knownProxyAuthorization
)

// lookupKnown classifies a field name without allocating.
func lookupKnown(name []byte) known {
	switch len(name) {
	case 2:
		if equalFold(name, "te") {
			return knownTE
		}
	case 4:
		if equalFold(name, "host") {
			return knownHost
		}
	case 6:
		if equalFold(name, "expect") {
			return knownExpect
		}
	case 7:
		if equalFold(name, "upgrade") {
			return knownUpgrade
		}
		if equalFold(name, "trailer") {
			return knownTrailer
		}
	case 10:
		if equalFold(name, "connection") {
			return knownConnection
		}
		if equalFold(name, "keep-alive") {
			return knownKeepAlive
		}
	case 14:
		if equalFold(name, "content-length") {
			return knownContentLength
		}
	case 16:
		if equalFold(name, "proxy-connection") {
			return knownProxyConnection
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			return knownTransferEncoding
		}
	case 18:
		if equalFold(name, "proxy-authenticate") {
			return knownProxyAuthenticate
		}
	case 19:
		if equalFold(name, "proxy-authorization") {
			return knownProxyAuthorization
		}
	}
	return knownNone
}

// field is one header or trailer field; name and value alias the owning
// message's raw head bytes.
type field struct {
	name, value []byte
	known       known
	// nominated: named by a Connection field, so hop-by-hop.
	nominated bool
}

// Headers is the ordered field list of a head or trailer section. Names keep
// the case they arrived in and compare case-insensitively. The slices
// returned alias the message's buffer: they are valid until the message is
// read into again, and must not be modified.
type Headers struct {
	fields []field
}

// Len returns the number of fields.
func (h *Headers) Len() int { return len(h.fields) }

// At returns the i-th field, 0 <= i < Len().
func (h *Headers) At(i int) (name, value []byte) {
	f := &h.fields[i]
	return f.name, f.value
}

// Get returns the value of the first field named name (any case).
func (h *Headers) Get(name string) ([]byte, bool) {
	for i := range h.fields {
		if equalFold(h.fields[i].name, name) {
			return h.fields[i].value, true
		}
	}
	return nil, false
}

// Has reports whether a field named name (any case) is present.
func (h *Headers) Has(name string) bool {
	_, ok := h.Get(name)
	return ok
}

// All iterates over the fields in order.
func (h *Headers) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		for i := range h.fields {
			if !yield(h.fields[i].name, h.fields[i].value) {
				return
			}
		}
	}
}

// EndToEnd iterates over the fields a proxy passes on to another protocol:
// every field but the ones the codec manages (framing, hop-by-hop, Host,
// Expect) and those a Connection field names. Trailer is included.
func (h *Headers) EndToEnd() iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		for i := range h.fields {
			f := &h.fields[i]
			if f.nominated || f.known != knownNone && f.known != knownTrailer {
				continue
			}
			if !yield(f.name, f.value) {
				return
			}
		}
	}
}

// Values iterates over the values of every field named name (any case), in
// order. List-valued fields are not split on commas.
func (h *Headers) Values(name string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range h.fields {
			if equalFold(h.fields[i].name, name) && !yield(h.fields[i].value) {
				return
			}
		}
	}
}

func (h *Headers) reset() { h.fields = h.fields[:0] }

// parseFields parses field lines up to and including the empty line that ends
// a head. b holds complete CRLF-terminated lines (readHead checked the line
// ends). It returns the bytes after the empty line.
func (h *Headers) parseFields(b []byte, side Side, maxFields int) ([]byte, error) {
	for {
		line, rest, ok := cutLine(b)
		if !ok {
			return nil, protoErr(side, Malformed, "head not terminated by an empty line")
		}
		b = rest
		if len(line) == 0 {
			return b, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			return nil, protoErr(side, Malformed, "obsolete line folding in header field")
		}
		if len(h.fields) >= maxFields {
			return nil, protoErr(side, TooManyHeaders, "too many header fields")
		}
		f, err := parseField(line, side)
		if err != nil {
			return nil, err
		}
		h.fields = append(h.fields, f)
	}
}

func parseField(line []byte, side Side) (field, error) {
	colon := -1
	for i, c := range line {
		if c == ':' {
			colon = i
			break
		}
		if !isTokenChar(c) {
			return field{}, protoErr(side, Malformed, "invalid character in header field name")
		}
	}
	if colon < 0 {
		return field{}, protoErr(side, Malformed, "header field line without a colon")
	}
	if colon == 0 {
		return field{}, protoErr(side, Malformed, "empty header field name")
	}
	value := trimOWS(line[colon+1:])
	if !validValue(value) {
		return field{}, protoErr(side, Malformed, "invalid character in header field value")
	}
	name := line[:colon]
	return field{name: name, value: value, known: lookupKnown(name)}, nil
}

// cutLine returns the first CRLF-terminated line of b without its CRLF; ok is
// false when there is none or the first line ends in a bare LF (readHead
// rejects those before parsing).
func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i <= 0 || b[i-1] != '\r' {
		return nil, nil, false
	}
	return b[:i-1], b[i+1:], true
}

// nominate marks the fields named by the Connection fields' options (other
// than close, keep-alive and upgrade) as hop-by-hop.
func (h *Headers) nominate() {
	for i := range h.fields {
		if h.fields[i].known != knownConnection {
			continue
		}
		for v := h.fields[i].value; len(v) > 0; {
			var opt []byte
			opt, v = nextListElem(v)
			if len(opt) == 0 || equalFold(opt, "close") || equalFold(opt, "keep-alive") {
				continue
			}
			for j := range h.fields {
				if equalFoldBytes(h.fields[j].name, opt) {
					h.fields[j].nominated = true
				}
			}
		}
	}
}
