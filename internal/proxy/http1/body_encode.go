package http1

import (
	"bufio"
	"errors"
	"io"
	"strconv"
)

// encoder writes one message body to the next hop in the framing the head
// announced. Chunked output gets one chunk per piece handed to it.
type encoder struct {
	bw      *bufio.Writer
	chunked bool
	side    Side
}

func (e *encoder) init(bw *bufio.Writer, kind bodyKind, side Side) {
	*e = encoder{bw: bw, chunked: kind == bodyChunked, side: side}
}

func (e *encoder) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if e.chunked {
		if e.bw.Available() < 20 {
			if err := e.bw.Flush(); err != nil {
				return e.err(err)
			}
		}
		hdr := strconv.AppendUint(e.bw.AvailableBuffer(), uint64(len(p)), 16)
		hdr = append(hdr, '\r', '\n')
		e.bw.Write(hdr)
	}
	if _, err := e.bw.Write(p); err != nil {
		return e.err(err)
	}
	if e.chunked {
		if _, err := e.bw.WriteString("\r\n"); err != nil {
			return e.err(err)
		}
	}
	return nil
}

// finish ends a chunked body with the last chunk and the trailers (minus the
// fields that must not be trailers or are hop-by-hop).
func (e *encoder) finish(trailers *Headers) error {
	if !e.chunked {
		return nil
	}
	e.bw.WriteString("0\r\n")
	for i := range trailers.fields {
		f := &trailers.fields[i]
		if f.known != knownNone || f.nominated {
			continue
		}
		e.bw.Write(f.name)
		e.bw.WriteString(": ")
		e.bw.Write(f.value)
		e.bw.WriteString("\r\n")
	}
	if _, err := e.bw.WriteString("\r\n"); err != nil {
		return e.err(err)
	}
	return nil
}

func (e *encoder) flush() error {
	if err := e.bw.Flush(); err != nil {
		return e.err(err)
	}
	return nil
}

func (e *encoder) err(err error) error {
	return &IOError{Side: e.side, Op: "write", Err: err}
}

// relay copies the rest of d's body to e. Pieces already buffered are copied
// out of the reader's buffer; with nothing buffered and unchunked output, the
// read goes straight into the writer's free space.
func relay(d *decoder, e *encoder) error {
	for {
		if !e.chunked && d.state == decData && d.left != 0 && d.br.Buffered() == 0 {
			if err := relayDirect(d, e); err != nil {
				return err
			}
			continue
		}
		p, err := d.next()
		if len(p) > 0 {
			if werr := e.write(p); werr != nil {
				return werr
			}
			d.advance(len(p))
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// relayDirect reads once from d's connection into e's buffer.
func relayDirect(d *decoder, e *encoder) error {
	if err := d.beforeBlock(); err != nil {
		return err
	}
	if e.bw.Available() < d.br.Size() && e.bw.Buffered() > 0 {
		if err := e.flush(); err != nil {
			return err
		}
	}
	buf := e.bw.AvailableBuffer()
	buf = buf[:cap(buf)]
	if d.left > 0 && int64(len(buf)) > d.left {
		buf = buf[:d.left]
	}
	n, err := d.br.Read(buf)
	if n > 0 {
		e.bw.Write(buf[:n])
		d.n += int64(n)
		if d.left > 0 {
			d.left -= int64(n)
		}
		if d.left == 0 {
			d.state = decDone
		}
	}
	if err != nil {
		if errors.Is(err, io.EOF) && d.kind == bodyClose {
			d.state = decDone
			return nil
		}
		return d.readErr(err)
	}
	return nil
}
