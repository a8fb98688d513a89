package http1

import "bytes"

// parse parses r.raw, a complete head from readHead.
func (r *Request) parse(maxFields int) error {
	line, rest, ok := cutLine(r.raw)
	if !ok {
		return protoErr(Downstream, Malformed, "missing request line")
	}
	if err := r.parseRequestLine(line); err != nil {
		return err
	}
	if _, err := r.headers.parseFields(rest, Downstream, maxFields); err != nil {
		return err
	}
	return r.interpretFields()
}

func (r *Request) parseRequestLine(line []byte) error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return protoErr(Downstream, Malformed, "malformed request line")
	}
	r.method = line[:sp1]
	if !isToken(r.method) {
		return protoErr(Downstream, Malformed, "invalid method")
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 {
		return protoErr(Downstream, Malformed, "malformed request line")
	}
	minor, err := parseVersion(rest[sp2+1:], Downstream)
	if err != nil {
		return err
	}
	r.minor = minor
	return r.parseTarget(rest[:sp2])
}

// parseVersion accepts HTTP/1.0 and HTTP/1.x (treated as 1.1, RFC 9110 2.5).
func parseVersion(v []byte, side Side) (uint8, error) {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' || !isDigit(v[5]) || !isDigit(v[7]) {
		return 0, protoErr(side, Malformed, "malformed HTTP version")
	}
	if v[5] != '1' {
		return 0, protoErr(side, UnsupportedVersion, "unsupported HTTP version")
	}
	if v[7] == '0' {
		return 0, nil
	}
	return 1, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (r *Request) parseTarget(t []byte) error {
	for _, c := range t {
		if !isTargetChar(c) {
			return protoErr(Downstream, Malformed, "invalid character in request target")
		}
	}
	r.target = t
	switch {
	case t[0] == '/':
		r.splitPathQuery(t)
	case r.IsMethod("CONNECT"):
		r.path, r.authority = t, t
	case len(t) == 1 && t[0] == '*' && r.IsMethod("OPTIONS"):
		r.path = t
	default:
		return r.parseAbsoluteTarget(t)
	}
	return nil
}

func (r *Request) splitPathQuery(t []byte) {
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		r.path, r.query, r.hasQuery = t[:i], t[i+1:], true
		return
	}
	r.path = t
}

// parseAbsoluteTarget handles "http://authority/path?query" (RFC 9112 3.2.2).
func (r *Request) parseAbsoluteTarget(t []byte) error {
	i := bytes.Index(t, []byte("://"))
	if i <= 0 || !isScheme(t[:i]) {
		return protoErr(Downstream, Malformed, "invalid request target")
	}
	rest := t[i+3:]
	end := bytes.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	r.authority = rest[:end]
	if len(r.authority) == 0 || !validAuthority(r.authority) {
		return protoErr(Downstream, Malformed, "invalid authority in request target")
	}
	pq := rest[end:]
	if len(pq) == 0 || pq[0] == '?' {
		// No path: the origin-form path is "/". Append it to raw so Path
		// can alias it.
		r.raw = append(r.raw, '/')
		r.path = r.raw[len(r.raw)-1:]
		if len(pq) > 0 {
			r.query, r.hasQuery = pq[1:], true
		}
		return nil
	}
	r.splitPathQuery(pq)
	return nil
}

func isScheme(s []byte) bool {
	return equalFold(s, "http") || equalFold(s, "https")
}

// interpretFields derives framing, persistence, Expect, Upgrade and TE from
// the fields and rejects the ambiguous framings that enable smuggling.
func (r *Request) interpretFields() error {
	var fi fieldInfo
	if err := fi.scan(&r.headers, Downstream); err != nil {
		return err
	}
	if fi.hosts > 1 {
		return protoErr(Downstream, Malformed, "more than one Host field")
	}
	if fi.hosts == 0 && r.minor == 1 {
		return protoErr(Downstream, Malformed, "missing Host field")
	}
	if r.authority == nil {
		r.authority = fi.host
	}
	if !validAuthority(r.authority) {
		return protoErr(Downstream, Malformed, "invalid Host")
	}
	if err := r.setFraming(&fi); err != nil {
		return err
	}
	r.close = fi.close || r.minor == 0 && !fi.keepAlive
	r.expect100 = fi.expect100 && r.minor == 1
	r.teTrailers = fi.teTrailers
	if fi.connUpgrade && len(fi.upgrade) > 0 && !equalFold(fi.upgrade, "h2c") {
		r.upgrade = fi.upgrade
	}
	if fi.nominates {
		r.headers.nominate()
	}
	return nil
}

func (r *Request) setFraming(fi *fieldInfo) error {
	switch {
	case fi.hasTE && r.minor == 0:
		return protoErr(Downstream, Framing, "Transfer-Encoding in an HTTP/1.0 request")
	case fi.hasTE && fi.hasCL:
		return protoErr(Downstream, Framing, "both Content-Length and Transfer-Encoding")
	case fi.hasTE && fi.te != teChunked:
		return protoErr(Downstream, UnsupportedTransferEncoding, "transfer coding other than chunked")
	case fi.hasTE:
		r.framing, r.contentLength = bodyChunked, -1
	default:
		r.framing, r.contentLength, r.hasCL = bodyLength, fi.contentLength, fi.hasCL
	}
	return nil
}
