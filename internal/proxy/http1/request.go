package http1

// Request is a request head read by ServerConn.ReadRequest, plus the state of
// its body. Reuse one Request per connection: reading into it again reuses
// its buffers, so steady-state reads do not allocate. Byte slices returned by
// its methods alias its buffer and stay valid until the next ReadRequest.
type Request struct {
	raw       []byte
	method    []byte
	target    []byte // as received
	path      []byte // origin-form path ("/" for an absolute-form without one)
	query     []byte // after '?', without it
	hasQuery  bool
	authority []byte // absolute-form authority, else the Host field
	hasCL     bool   // a Content-Length field was present (kept, even when 0)
	minor     uint8  // HTTP/1.minor (0 or 1)
	headers   Headers

	framing       bodyKind
	contentLength int64
	close         bool // the client asked to close after this exchange
	expect100     bool
	upgrade       []byte // Upgrade field value when the client asked to upgrade
	teTrailers    bool   // TE names "trailers"

	trailers   Headers
	trailerRaw []byte
	body       *[]byte // buffered body (pooled), see ServerConn.BufferBody
	bodyDone   bool    // body holds the whole body and its trailers
	streamed   bool    // part of the body was relayed from the wire, not replayable
	src        *ServerConn
}

// Method returns the request method, e.g. "GET" (case-sensitive, RFC 9110 9.1).
func (r *Request) Method() []byte { return r.method }

// IsMethod reports whether the method is m.
func (r *Request) IsMethod(m string) bool { return string(r.method) == m }

// Target returns the request target as received (origin-, absolute-,
// authority- or asterisk-form).
func (r *Request) Target() []byte { return r.target }

// Path returns the path of the target without the query: "/a/b" for
// "/a/b?x=1" and for "http://h/a/b?x=1"; "*" for "OPTIONS *"; the authority
// for CONNECT.
func (r *Request) Path() []byte { return r.path }

// Query returns the query without '?'; ok is false when the target has none.
func (r *Request) Query() (query []byte, ok bool) { return r.query, r.hasQuery }

// Authority returns the absolute-form target's authority if the target has
// one, else the Host field (RFC 9112 3.2.2). Empty when neither is present
// (only possible for HTTP/1.0).
func (r *Request) Authority() []byte { return r.authority }

// ProtoMinor returns 0 for HTTP/1.0 and 1 for HTTP/1.1 (and later 1.x).
func (r *Request) ProtoMinor() int { return int(r.minor) }

// Headers returns the request's header fields as received, hop-by-hop ones
// included.
func (r *Request) Headers() *Headers { return &r.headers }

// Header returns the first value of the named field (any case).
func (r *Request) Header(name string) ([]byte, bool) { return r.headers.Get(name) }

// Trailers returns the trailer fields of a chunked body, once it has been
// read (buffered or relayed).
func (r *Request) Trailers() *Headers { return &r.trailers }

// ContentLength returns the declared body length, or -1 when the body is
// chunked; 0 when there is no body.
func (r *Request) ContentLength() int64 {
	if r.framing == bodyChunked {
		return -1
	}
	return r.contentLength
}

// HasBody reports whether body bytes follow the head.
func (r *Request) HasBody() bool {
	return r.framing == bodyChunked || r.framing == bodyLength && r.contentLength > 0
}

// WantsClose reports whether the client asked to close the connection after
// this exchange (Connection: close, or HTTP/1.0 without keep-alive).
func (r *Request) WantsClose() bool { return r.close }

// ExpectsContinue reports whether the client sent Expect: 100-continue. The
// codec answers it itself: "100 Continue" goes to the client when the body is
// first needed, and the field is not forwarded.
func (r *Request) ExpectsContinue() bool { return r.expect100 }

// Upgrade returns the protocol the client asks to switch to (the Upgrade
// field, when Connection names upgrade), or nil. h2c upgrades are ignored.
func (r *Request) Upgrade() []byte { return r.upgrade }

// Replayable reports whether the whole request, body included, can still be
// written to an upstream: there is no body, or BufferBody holds all of it.
func (r *Request) Replayable() bool {
	return !r.HasBody() || r.bodyDone && !r.streamed
}

// BufferedBody returns the body bytes BufferBody collected (decoded: no
// chunk framing).
func (r *Request) BufferedBody() []byte {
	if r.body == nil {
		return nil
	}
	return *r.body
}

func (r *Request) reset() {
	if cap(r.raw) > 64<<10 {
		r.raw = nil
	}
	*r = Request{
		raw:        r.raw[:0],
		headers:    Headers{fields: r.headers.fields[:0]},
		trailers:   Headers{fields: r.trailers.fields[:0]},
		trailerRaw: r.trailerRaw[:0],
	}
}
