package http1

import "errors"

// ResponseHead is a response the codec did not read from an HTTP/1.1
// upstream — one from an HTTP/2 upstream, say — to be written downstream
// with ServerConn.StartResponse.
type ResponseHead struct {
	Status int
	// Fields are the end-to-end header fields. Fields the codec manages
	// (framing, hop-by-hop, Host, Expect) are dropped; Trailer is kept.
	Fields []Field
	// ContentLength is the body's length, or -1 when unknown.
	ContentLength int64
	// Trailers says trailer fields may follow the body: the body is then
	// chunked even when its length is known (HTTP/1.0 clients get none).
	Trailers bool
}

// RequestHead is a request the codec did not read from an HTTP/1.1 client
// — one from an HTTP/2 client, say — to be written to an HTTP/1.1 upstream
// with ClientConn.StartRequest.
type RequestHead struct {
	Method string
	// Target is the origin-form target: path and query ("/a?b=1").
	Target string
	// Authority becomes the Host field.
	Authority string
	// Fields are the end-to-end header fields; fields the codec manages are
	// dropped, except that a TE listing "trailers" is sent as TE: trailers.
	Fields []Field
	// ContentLength is the body's length: 0 for none, -1 when unknown
	// (sent chunked).
	ContentLength int64
	// Trailers says trailer fields may follow the body: the body is then
	// chunked even when its length is known.
	Trailers bool
}

// ErrBadField is returned when a ResponseHead or RequestHead holds a field
// name that is not a token or a value with bytes not allowed in a field, or
// a request line part (method, target, authority) that is not valid.
var ErrBadField = errors.New("http1: invalid header field or request line")

// ErrBodyLength is returned by BodyWriter when the body written does not
// match the Content-Length its head announced.
var ErrBodyLength = errors.New("http1: body length differs from its Content-Length")

// appendPartsFields appends fields minus the ones the codec manages. It
// reports false for an invalid name or value; teTrailers reports a TE field
// listing "trailers".
func appendPartsFields(dst []byte, fields []Field) (out []byte, teTrailers, ok bool) {
	for _, f := range fields {
		if !validTokenString(f.Name) || !validValueString(f.Value) {
			return dst, false, false
		}
		switch lookupKnown([]byte(f.Name)) {
		case knownNone, knownTrailer:
			dst = appendFieldString(dst, f.Name, f.Value)
		case knownTE:
			teTrailers = teTrailers || listHas([]byte(f.Value), "trailers")
		}
	}
	return dst, teTrailers, true
}

// appendRequestPartsHead writes h's head with the framing chosen for it.
func appendRequestPartsHead(dst []byte, h *RequestHead) ([]byte, bodyKind, bool) {
	if !validTokenString(h.Method) || !originForm(h.Target, h.Method) || !validAuthority([]byte(h.Authority)) {
		return dst, bodyNone, false
	}
	dst = append(dst, h.Method...)
	dst = append(dst, ' ')
	dst = append(dst, h.Target...)
	dst = append(dst, " HTTP/1.1\r\n"...)
	dst = appendFieldString(dst, "Host", h.Authority)
	dst, te, ok := appendPartsFields(dst, h.Fields)
	if !ok {
		return dst, bodyNone, false
	}
	kind := bodyNone
	switch {
	case h.ContentLength < 0 || h.ContentLength > 0 && h.Trailers:
		kind = bodyChunked
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	case h.ContentLength > 0:
		kind = bodyLength
		dst = appendContentLength(dst, h.ContentLength)
	case h.Method == "POST" || h.Method == "PUT" || h.Method == "PATCH":
		dst = appendContentLength(dst, 0) // RFC 9110 8.6: a length for methods that carry content
	}
	if te {
		dst = append(dst, "TE: trailers\r\n"...)
	}
	return append(dst, '\r', '\n'), kind, true
}

// originForm reports whether target is an origin-form request target
// ("/path?query"), or "*" for OPTIONS.
func originForm(target, method string) bool {
	if target == "*" {
		return method == "OPTIONS"
	}
	return target != "" && target[0] == '/' && validTargetString(target)
}

// planPartsResponse picks the downstream framing for h: none for HEAD,
// 1xx, 204 and 304; a length when known and no trailers come; chunked for
// HTTP/1.1 clients otherwise; close-delimited for HTTP/1.0 ones.
func planPartsResponse(h *ResponseHead, head bool, minor uint8, closeWanted bool) respPlan {
	p := respPlan{kind: bodyChunked, close: closeWanted, minor: minor}
	switch {
	case head || h.Status < 200 || h.Status == 204 || h.Status == 304:
		p.kind = bodyNone
	case h.ContentLength >= 0 && (!h.Trailers || minor == 0):
		p.kind = bodyLength
	case minor == 0:
		p.kind, p.close = bodyClose, true
	}
	return p
}

// appendResponsePartsHead writes h's head for the plan, with ed's edits.
func appendResponsePartsHead(dst []byte, h *ResponseHead, ed *ResponseEdit, p respPlan) ([]byte, bool) {
	if h.Status < 200 || h.Status > 999 {
		return dst, false
	}
	dst = appendStatusLine(dst, h.Status, statusText(h.Status))
	var layers []*HeaderEdits
	var extra []byte
	if ed != nil {
		layers, extra = ed.Headers, ed.Extra
	}
	start := len(dst)
	dst, _, ok := appendPartsFields(dst, h.Fields)
	if !ok {
		return dst, false
	}
	if len(layers) > 0 {
		dst = append(dst[:start], dropEdited(dst[start:], layers)...)
	}
	dst = appendEdits(dst, layers)
	dst = append(dst, extra...)
	switch {
	case p.kind == bodyLength || p.kind == bodyNone && h.ContentLength >= 0 && h.Status >= 200 && h.Status != 204:
		dst = appendContentLength(dst, max(h.ContentLength, 0))
	case p.kind == bodyChunked:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	}
	dst = appendConnection(dst, p.close, p.minor)
	return append(dst, '\r', '\n'), true
}

// dropEdited removes, from complete field lines, those an edit layer
// replaces or removes. It works in place.
func dropEdited(lines []byte, layers []*HeaderEdits) []byte {
	out := lines[:0]
	for len(lines) > 0 {
		line, rest, _ := cutLine(lines)
		name := line
		for i, c := range line {
			if c == ':' {
				name = line[:i]
				break
			}
		}
		if !editedAway(name, layers) {
			out = append(out, lines[:len(lines)-len(rest)]...)
		}
		lines = rest
	}
	return out
}
