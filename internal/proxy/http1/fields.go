package http1

// teState summarizes the Transfer-Encoding fields of a message.
type teState uint8

const (
	teNone    teState = iota
	teChunked         // exactly one coding, chunked
	teOther           // anything else: other codings, chunked not last, chunked twice
)

// fieldInfo is what the codec needs from a head's fields, gathered in one pass.
type fieldInfo struct {
	hosts         int
	host          []byte
	hasCL         bool
	contentLength int64
	hasTE         bool
	te            teState
	close         bool
	keepAlive     bool
	connUpgrade   bool
	nominates     bool // a Connection option names another field
	expect100     bool
	upgrade       []byte
	teTrailers    bool
}

func (fi *fieldInfo) scan(h *Headers, side Side) error {
	for i := range h.fields {
		f := &h.fields[i]
		switch f.known {
		case knownHost:
			fi.hosts++
			fi.host = f.value
		case knownContentLength:
			if err := fi.addContentLength(f.value, side); err != nil {
				return err
			}
		case knownTransferEncoding:
			fi.addTransferEncoding(f.value)
		case knownConnection:
			fi.addConnection(f.value)
		case knownExpect:
			fi.expect100 = fi.expect100 || equalFold(f.value, "100-continue")
		case knownUpgrade:
			fi.upgrade = f.value
		case knownTE:
			fi.teTrailers = fi.teTrailers || listHas(f.value, "trailers")
		}
	}
	return nil
}

// addContentLength accepts repeated fields and lists only when every value is
// the same (RFC 9110 8.6); anything else is a framing error.
func (fi *fieldInfo) addContentLength(v []byte, side Side) error {
	if len(v) == 0 {
		return protoErr(side, Framing, "empty Content-Length")
	}
	for len(v) > 0 {
		var elem []byte
		elem, v = nextListElem(v)
		n, ok := parseDecimal(elem)
		if !ok {
			return protoErr(side, Framing, "invalid Content-Length")
		}
		if fi.hasCL && n != fi.contentLength {
			return protoErr(side, Framing, "conflicting Content-Length values")
		}
		fi.hasCL, fi.contentLength = true, n
	}
	return nil
}

// parseDecimal parses 1 to 18 ASCII digits (no sign, no spaces).
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func (fi *fieldInfo) addTransferEncoding(v []byte) {
	fi.hasTE = true
	for len(v) > 0 {
		var coding []byte
		coding, v = nextListElem(v)
		if len(coding) == 0 {
			continue
		}
		if fi.te == teNone && equalFold(coding, "chunked") {
			fi.te = teChunked
			continue
		}
		fi.te = teOther
	}
	if fi.te == teNone {
		fi.te = teOther // an empty Transfer-Encoding is not chunked
	}
}

func (fi *fieldInfo) addConnection(v []byte) {
	for len(v) > 0 {
		var opt []byte
		opt, v = nextListElem(v)
		switch {
		case len(opt) == 0:
		case equalFold(opt, "close"):
			fi.close = true
		case equalFold(opt, "keep-alive"):
			fi.keepAlive = true
		case equalFold(opt, "upgrade"):
			fi.connUpgrade = true
			fi.nominates = true
		default:
			fi.nominates = true
		}
	}
}

// listHas reports whether the comma-separated list v has element s (any
// case, parameters ignored).
func listHas(v []byte, s string) bool {
	for len(v) > 0 {
		var elem []byte
		elem, v = nextListElem(v)
		for i, c := range elem {
			if c == ';' {
				elem = trimOWS(elem[:i])
				break
			}
		}
		if equalFold(elem, s) {
			return true
		}
	}
	return false
}
