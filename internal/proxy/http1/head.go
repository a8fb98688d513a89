package http1

import (
	"bufio"
	"errors"
	"io"
)

// headMode says how readHead treats empty lines.
type headMode uint8

const (
	// headRequest skips a few empty lines before the request line (RFC 9112
	// 2.2: a server SHOULD ignore at least one).
	headRequest headMode = iota
	// headResponse: a status line must come first.
	headResponse
	// headTrailer: an empty first line is the end of an empty trailer section.
	headTrailer
)

const maxLeadingEmptyLines = 4

// readHead appends the lines of a head, up to and including the empty line
// that ends it, to dst. Every line must end in CRLF: a bare LF is rejected
// (RFC 9112 2.2 lets a recipient accept it; a proxy that re-serializes heads
// gains nothing from tolerance and the asymmetry is a smuggling vector). It
// returns io.EOF only when the peer closed before sending any byte.
func readHead(br *bufio.Reader, dst []byte, max int, mode headMode, side Side) ([]byte, error) {
	lineStart, skipped := len(dst), 0
	base := len(dst)
	for {
		frag, err := br.ReadSlice('\n')
		if len(dst)-base+len(frag) > max {
			return dst, protoErr(side, HeadTooLarge, "head too large")
		}
		dst = append(dst, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return dst, headReadErr(err, side, len(dst) > base)
		}
		line := dst[lineStart:]
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return dst, protoErr(side, Malformed, "line not terminated by CRLF")
		}
		if len(line) == 2 {
			if lineStart > base || mode == headTrailer {
				return dst, nil
			}
			if mode == headResponse || skipped == maxLeadingEmptyLines {
				return dst, protoErr(side, Malformed, "empty line before start line")
			}
			skipped++
			dst = dst[:lineStart]
			continue
		}
		lineStart = len(dst)
	}
}

func headReadErr(err error, side Side, partial bool) error {
	if errors.Is(err, io.EOF) {
		if !partial {
			return io.EOF
		}
		err = io.ErrUnexpectedEOF
	}
	return &IOError{Side: side, Op: "read", Err: err}
}
