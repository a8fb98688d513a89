package http1

// parse parses r.raw as the response to a request with the given method
// traits (RFC 9112 6.3 decides the body from both).
func (r *Response) parse(maxFields int, head, connect, upgrade bool) error {
	line, rest, ok := cutLine(r.raw)
	if !ok {
		return protoErr(Upstream, Malformed, "missing status line")
	}
	if err := r.parseStatusLine(line); err != nil {
		return err
	}
	if _, err := r.headers.parseFields(rest, Upstream, maxFields); err != nil {
		return err
	}
	return r.interpretFields(head, connect, upgrade)
}

// parseStatusLine parses "HTTP/1.1 200 OK". The SP after the code may be
// missing when the reason is empty (a common deviation).
func (r *Response) parseStatusLine(line []byte) error {
	if len(line) < 12 || line[8] != ' ' {
		return protoErr(Upstream, Malformed, "malformed status line")
	}
	minor, err := parseVersion(line[:8], Upstream)
	if err != nil {
		return err
	}
	r.minor = minor
	code := line[9:12]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[0] == '0' {
		return protoErr(Upstream, Malformed, "invalid status code")
	}
	r.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if len(line) > 12 {
		if line[12] != ' ' {
			return protoErr(Upstream, Malformed, "malformed status line")
		}
		r.reason = line[13:]
		if !validValue(r.reason) {
			return protoErr(Upstream, Malformed, "invalid character in reason phrase")
		}
	}
	return nil
}

func (r *Response) interpretFields(head, connect, upgrade bool) error {
	var fi fieldInfo
	if err := fi.scan(&r.headers, Upstream); err != nil {
		return err
	}
	r.hasCL, r.contentLength = fi.hasCL, fi.contentLength
	r.chunkedHead = fi.te == teChunked
	r.close = fi.close || r.minor == 0 && !fi.keepAlive
	if fi.nominates {
		r.headers.nominate()
	}
	if r.status == 101 {
		if !upgrade || !fi.connUpgrade || len(fi.upgrade) == 0 {
			return protoErr(Upstream, BadUpgrade, "101 response to a request that did not ask to upgrade")
		}
		r.upgrade, r.tunnel, r.framing = fi.upgrade, true, bodyNone
		return nil
	}
	if connect && r.status/100 == 2 {
		r.tunnel, r.framing = true, bodyNone
		return nil
	}
	return r.setFraming(&fi, head)
}

// setFraming applies RFC 9112 6.3. A response with both Transfer-Encoding and
// Content-Length is framed by the former and the connection is not reused.
func (r *Response) setFraming(fi *fieldInfo, head bool) error {
	switch {
	case head || r.status < 200 || r.status == 204 || r.status == 304:
		r.framing = bodyNone
	case fi.hasTE && r.minor == 0:
		return protoErr(Upstream, Framing, "Transfer-Encoding in an HTTP/1.0 response")
	case fi.hasTE && fi.te != teChunked:
		return protoErr(Upstream, UnsupportedTransferEncoding, "transfer coding other than chunked")
	case fi.hasTE:
		r.framing = bodyChunked
		r.close = r.close || fi.hasCL
	case fi.hasCL:
		r.framing = bodyLength
	default:
		r.framing, r.close = bodyClose, true
	}
	return nil
}
