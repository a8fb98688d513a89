package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

type decState uint8

const (
	decData      decState = iota // in a data segment (d.left bytes left, -1: until EOF)
	decChunkSize                 // before a chunk-size line
	decChunkEnd                  // before the CRLF that ends chunk data
	decDone                      // body and trailers read
)

// decoder reads one message body from a bufio.Reader and hands out its data
// in pieces that alias the reader's buffer. Before a read that would block it
// flushes flush (the other hop's writer, so nothing waits in a buffer while
// the proxy waits) and, once, sends 100 Continue to cont.
type decoder struct {
	br         *bufio.Reader
	kind       bodyKind
	state      decState
	left       int64
	n          int64 // data bytes handed out
	side       Side
	maxHead    int
	maxFields  int
	trailers   *Headers
	trailerRaw *[]byte
	flush      *bufio.Writer
	flushSide  Side
	cont       *ServerConn // downstream owed a 100 Continue, or nil
}

func (d *decoder) init(br *bufio.Reader, kind bodyKind, length int64, side Side) {
	*d = decoder{br: br, kind: kind, side: side, maxHead: d.maxHead, maxFields: d.maxFields}
	switch kind {
	case bodyNone:
		d.state = decDone
	case bodyLength:
		d.left = length
		if length == 0 {
			d.state = decDone
		}
	case bodyChunked:
		d.state = decChunkSize
	case bodyClose:
		d.left = -1
	}
}

func (d *decoder) done() bool { return d.state == decDone }

// next returns the next piece of body data, or io.EOF once the body (and any
// trailers) has been read. Call advance(len(p)) after using p.
func (d *decoder) next() ([]byte, error) {
	for {
		switch d.state {
		case decDone:
			return nil, io.EOF
		case decData:
			if d.left == 0 {
				d.state = d.afterData()
				continue
			}
			return d.peekData()
		case decChunkEnd:
			if err := d.readChunkEnd(); err != nil {
				return nil, err
			}
		case decChunkSize:
			if err := d.readChunkSize(); err != nil {
				return nil, err
			}
		}
	}
}

func (d *decoder) afterData() decState {
	if d.kind == bodyChunked {
		return decChunkEnd
	}
	return decDone
}

func (d *decoder) advance(n int) {
	d.br.Discard(n)
	d.n += int64(n)
	if d.left > 0 {
		d.left -= int64(n)
	}
}

func (d *decoder) peekData() ([]byte, error) {
	if d.br.Buffered() == 0 {
		if err := d.beforeBlock(); err != nil {
			return nil, err
		}
		if _, err := d.br.Peek(1); err != nil {
			if errors.Is(err, io.EOF) && d.kind == bodyClose {
				d.state = decDone
				return nil, io.EOF
			}
			return nil, d.readErr(err)
		}
	}
	n := d.br.Buffered()
	if d.left >= 0 && int64(n) > d.left {
		n = int(d.left)
	}
	p, _ := d.br.Peek(n)
	return p, nil
}

// beforeBlock runs before a read that may block: it flushes the other hop's
// writer and sends a pending 100 Continue.
func (d *decoder) beforeBlock() error {
	if d.flush != nil && d.flush.Buffered() > 0 {
		if err := d.flush.Flush(); err != nil {
			return &IOError{Side: d.flushSide, Op: "write", Err: err}
		}
	}
	if d.cont != nil {
		c := d.cont
		d.cont = nil
		return c.sendContinue()
	}
	return nil
}

func (d *decoder) readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return protoErr(d.side, Framing, "connection closed before the end of the body")
	}
	return &IOError{Side: d.side, Op: "read", Err: err}
}

// readLine reads one CRLF-terminated line that must fit in the read buffer.
func (d *decoder) readLine() ([]byte, error) {
	if buf, _ := d.br.Peek(d.br.Buffered()); bytes.IndexByte(buf, '\n') < 0 {
		if err := d.beforeBlock(); err != nil {
			return nil, err
		}
	}
	line, err := d.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, protoErr(d.side, Malformed, "chunk size line too long")
	}
	if err != nil {
		return nil, d.readErr(err)
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, protoErr(d.side, Malformed, "chunk line not terminated by CRLF")
	}
	return line[:len(line)-2], nil
}

func (d *decoder) readChunkEnd() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	if len(line) != 0 {
		return protoErr(d.side, Malformed, "chunk data longer than its size")
	}
	d.state = decChunkSize
	return nil
}

func (d *decoder) readChunkSize() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	size, ok := parseChunkSizeLine(line)
	if !ok {
		return protoErr(d.side, Malformed, "invalid chunk size line")
	}
	if size > 0 {
		d.state, d.left = decData, size
		return nil
	}
	return d.readTrailers()
}

func (d *decoder) readTrailers() error {
	if d.br.Buffered() == 0 {
		if err := d.beforeBlock(); err != nil {
			return err
		}
	}
	raw, err := readHead(d.br, (*d.trailerRaw)[:0], d.maxHead, headTrailer, d.side)
	*d.trailerRaw = raw
	if err != nil {
		if errors.Is(err, io.EOF) {
			return d.readErr(err)
		}
		return err
	}
	d.trailers.reset()
	if _, err := d.trailers.parseFields(raw, d.side, d.maxFields); err != nil {
		return err
	}
	d.state = decDone
	return nil
}
