package http1

// Response is a response head read by ClientConn.ReadResponse, plus the state
// of its body. Reuse one per connection or exchange; slices returned by its
// methods alias its buffer and stay valid until the next ReadResponse into it.
type Response struct {
	raw     []byte
	minor   uint8
	status  int
	reason  []byte
	headers Headers

	framing       bodyKind
	hasCL         bool
	contentLength int64 // declared, also for HEAD and 304 (relayed as metadata)
	chunkedHead   bool  // Transfer-Encoding: chunked, also for HEAD and 304
	close         bool  // the upstream will close after this response
	upgrade       []byte
	tunnel        bool // 101 to an upgrade request, or 2xx to CONNECT

	trailers   Headers
	trailerRaw []byte
	src        *ClientConn
}

// Status returns the status code (100-999).
func (r *Response) Status() int { return r.status }

// Reason returns the reason phrase (may be empty).
func (r *Response) Reason() []byte { return r.reason }

// ProtoMinor returns 0 for HTTP/1.0 and 1 for HTTP/1.1 (and later 1.x).
func (r *Response) ProtoMinor() int { return int(r.minor) }

// Headers returns the response's header fields as received.
func (r *Response) Headers() *Headers { return &r.headers }

// Header returns the first value of the named field (any case).
func (r *Response) Header(name string) ([]byte, bool) { return r.headers.Get(name) }

// Trailers returns the trailer fields of a chunked body once it was relayed.
func (r *Response) Trailers() *Headers { return &r.trailers }

// Interim reports whether this is a 1xx informational response other than
// 101: the final response is still to come. Forward it with
// ServerConn.WriteInterim (or drop it) and call ReadResponse again.
func (r *Response) Interim() bool { return r.status < 200 && r.status != 101 }

// Tunnel reports whether the response switches the connection to another
// protocol: 101 to a request that asked to upgrade, or 2xx to CONNECT. After
// ServerConn.WriteResponse, Detach both connections and splice them.
func (r *Response) Tunnel() bool { return r.tunnel }

// HasBody reports whether body bytes follow the head.
func (r *Response) HasBody() bool {
	return r.framing == bodyChunked || r.framing == bodyClose ||
		r.framing == bodyLength && r.contentLength > 0
}

// ContentLength returns the declared length, or -1 when the body is chunked
// or delimited by close, or when no length was declared.
func (r *Response) ContentLength() int64 {
	if !r.hasCL || r.framing == bodyChunked {
		return -1
	}
	return r.contentLength
}

// WantsClose reports whether the upstream will close the connection after
// this response (Connection: close, HTTP/1.0 without keep-alive, or a body
// delimited by close).
func (r *Response) WantsClose() bool { return r.close }

func (r *Response) reset() {
	if cap(r.raw) > 64<<10 {
		r.raw = nil
	}
	*r = Response{
		raw:        r.raw[:0],
		headers:    Headers{fields: r.headers.fields[:0]},
		trailers:   Headers{fields: r.trailers.fields[:0]},
		trailerRaw: r.trailerRaw[:0],
	}
}
