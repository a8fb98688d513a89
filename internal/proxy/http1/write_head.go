package http1

import (
	"bytes"
	"strconv"
)

// bodyKind is how a message body is delimited.
type bodyKind uint8

const (
	bodyNone    bodyKind = iota // no body
	bodyLength                  // Content-Length bytes
	bodyChunked                 // chunked transfer coding
	bodyClose                   // until the connection closes (responses only)
)

// AppendRequestHead appends the head to send upstream for r, rewritten by ed
// (nil: no rewrite), to dst: request line in origin-form with HTTP/1.1, Host
// first, the received fields minus hop-by-hop ones (Connection and those it
// names, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade,
// Proxy-Authenticate, Proxy-Authorization), Expect: 100-continue (answered by
// the proxy) and fields edited away; then the edits, ed.Extra, the framing
// field, "TE: trailers" if the client sent it, and Upgrade when upgrading.
func AppendRequestHead(dst []byte, r *Request, ed *RequestEdit) []byte {
	var none RequestEdit
	if ed == nil {
		ed = &none
	}
	dst = append(dst, r.method...)
	dst = append(dst, ' ')
	dst = r.appendTarget(dst, ed)
	dst = append(dst, " HTTP/1.1\r\n"...)
	// HTTP/1.1 requires Host, empty when the authority is unknown (RFC 9112 3.2).
	if ed.Host != "" {
		dst = appendFieldString(dst, "Host", ed.Host)
	} else {
		dst = appendFieldBytes(dst, []byte("Host"), r.authority)
	}
	dst = r.appendForwardedFields(dst, ed.Headers)
	dst = appendEdits(dst, ed.Headers)
	dst = append(dst, ed.Extra...)
	switch {
	case r.framing == bodyChunked:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	case r.hasCL || r.contentLength > 0:
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, r.contentLength, 10)
		dst = append(dst, '\r', '\n')
	}
	if r.teTrailers {
		dst = append(dst, "TE: trailers\r\n"...)
	}
	switch {
	case r.upgrade != nil:
		dst = append(dst, "Connection: upgrade\r\n"...)
		dst = appendFieldBytes(dst, []byte("Upgrade"), r.upgrade)
	case ed.Close:
		dst = append(dst, "Connection: close\r\n"...)
	}
	return append(dst, '\r', '\n')
}

func (r *Request) appendTarget(dst []byte, ed *RequestEdit) []byte {
	if r.IsMethod("CONNECT") || len(r.path) == 1 && r.path[0] == '*' {
		return append(dst, r.path...)
	}
	start := len(dst)
	switch {
	case ed.Path != nil:
		dst = append(dst, ed.Path...)
	case (ed.StripPrefix != "" || ed.PrefixRewrite != "") && bytes.HasPrefix(r.path, []byte(ed.StripPrefix)):
		dst = append(dst, ed.PrefixRewrite...)
		dst = append(dst, r.path[len(ed.StripPrefix):]...)
	default:
		dst = append(dst, r.path...)
	}
	if len(dst) == start {
		dst = append(dst, '/')
	}
	if r.hasQuery {
		dst = append(dst, '?')
		dst = append(dst, r.query...)
	}
	return dst
}

func (r *Request) appendForwardedFields(dst []byte, layers []*HeaderEdits) []byte {
	for i := range r.headers.fields {
		f := &r.headers.fields[i]
		switch {
		case f.nominated:
		case f.known == knownExpect && equalFold(f.value, "100-continue"):
		case f.known != knownNone && f.known != knownTrailer && f.known != knownExpect:
		case len(layers) > 0 && editedAway(f.name, layers):
		default:
			dst = appendFieldBytes(dst, f.name, f.value)
		}
	}
	return dst
}

// respPlan is how a response goes to the downstream.
type respPlan struct {
	kind  bodyKind // framing written downstream
	close bool     // close the downstream after this response
	minor uint8    // the downstream request's HTTP/1.minor
}

// planResponse picks the downstream framing: a length stays a length; chunked
// and close-delimited bodies go chunked to HTTP/1.1 clients (keeping them
// alive) and close-delimited to HTTP/1.0 clients.
func planResponse(r *Response, minor uint8, closeWanted bool) respPlan {
	p := respPlan{kind: r.framing, close: closeWanted, minor: minor}
	switch {
	case r.tunnel:
		p.close = false
	case r.framing == bodyChunked || r.framing == bodyClose:
		p.kind = bodyChunked
		if minor == 0 {
			p.kind, p.close = bodyClose, true
		}
	}
	return p
}

// AppendResponseHead appends the head to send downstream for r to dst, for a
// client speaking HTTP/1.clientMinor: the status line with HTTP/1.1, the
// received fields minus hop-by-hop ones and fields edited away, the edits,
// ed.Extra, framing (Content-Length kept; chunked or close-delimited bodies
// re-framed as chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0
// ones) and Connection: close or keep-alive as needed. keepAlive false asks
// the client to close.
func AppendResponseHead(dst []byte, r *Response, ed *ResponseEdit, clientMinor int, keepAlive bool) []byte {
	minor := uint8(0)
	if clientMinor > 0 {
		minor = 1
	}
	return appendResponseHead(dst, r, ed, planResponse(r, minor, !keepAlive))
}

func appendResponseHead(dst []byte, r *Response, ed *ResponseEdit, p respPlan) []byte {
	var none ResponseEdit
	if ed == nil {
		ed = &none
	}
	dst = appendStatusLine(dst, r.status, r.reason)
	dst = appendResponseFields(dst, &r.headers, ed.Headers)
	dst = appendEdits(dst, ed.Headers)
	dst = append(dst, ed.Extra...)
	dst = appendResponseFraming(dst, r, p)
	return append(dst, '\r', '\n')
}

func appendStatusLine[S ~string | ~[]byte](dst []byte, status int, reason S) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = append(dst, byte('0'+status/100), byte('0'+status/10%10), byte('0'+status%10), ' ')
	dst = append(dst, reason...)
	return append(dst, '\r', '\n')
}

func appendResponseFields(dst []byte, h *Headers, layers []*HeaderEdits) []byte {
	for i := range h.fields {
		f := &h.fields[i]
		switch {
		case f.nominated:
		case f.known != knownNone && f.known != knownTrailer && f.known != knownExpect && f.known != knownHost:
		case len(layers) > 0 && editedAway(f.name, layers):
		default:
			dst = appendFieldBytes(dst, f.name, f.value)
		}
	}
	return dst
}

func appendResponseFraming(dst []byte, r *Response, p respPlan) []byte {
	switch {
	case r.tunnel && r.status == 101:
		dst = append(dst, "Connection: upgrade\r\n"...)
		return appendFieldBytes(dst, []byte("Upgrade"), r.upgrade)
	case r.tunnel:
		return dst
	case p.kind == bodyLength:
		dst = appendContentLength(dst, r.contentLength)
	case p.kind == bodyChunked:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	case p.kind == bodyNone && r.status >= 200 && r.status != 204:
		// HEAD and 304 responses describe the body they do not carry.
		if r.hasCL {
			dst = appendContentLength(dst, r.contentLength)
		} else if r.chunkedHead && p.minor == 1 {
			dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		}
	}
	if p.close {
		return append(dst, "Connection: close\r\n"...)
	}
	if p.minor == 0 {
		return append(dst, "Connection: keep-alive\r\n"...)
	}
	return dst
}

func appendContentLength(dst []byte, n int64) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}
