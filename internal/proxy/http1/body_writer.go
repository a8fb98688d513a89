package http1

import (
	"bufio"
	"errors"
)

var errBodyFinished = errors.New("http1: body already finished")

// BodyWriter writes one message body in the framing its head announced: a
// response started with ServerConn.StartResponse or a request started with
// ClientConn.StartRequest. Bodies of messages that carry none (responses to
// HEAD, 204, 304) are dropped. Nothing is flushed until Flush or Finish.
type BodyWriter struct {
	enc  encoder
	kind bodyKind
	left int64 // bytes still owed under Content-Length framing
	err  error // the first failure; every later call returns it
	done bool  // Finish succeeded
	// sc is the downstream connection of a response: a failure means it
	// must close after this exchange.
	sc *ServerConn
}

func (w *BodyWriter) init(bw *bufio.Writer, kind bodyKind, side Side, length int64, sc *ServerConn) {
	*w = BodyWriter{kind: kind, left: length, sc: sc}
	w.enc.init(bw, kind, side)
}

// Write writes body bytes (one chunk under chunked framing). Writing more
// than a Content-Length announced fails with ErrBodyLength.
func (w *BodyWriter) Write(p []byte) (int, error) {
	switch {
	case w.err != nil:
		return 0, w.err
	case w.done:
		return 0, errBodyFinished
	case w.kind == bodyNone:
		return len(p), nil
	case w.kind == bodyLength && int64(len(p)) > w.left:
		return 0, w.setErr(ErrBodyLength)
	}
	if err := w.enc.write(p); err != nil {
		return 0, w.setErr(err)
	}
	if w.kind == bodyLength {
		w.left -= int64(len(p))
	}
	return len(p), nil
}

// Flush sends what is buffered.
func (w *BodyWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.enc.flush(); err != nil {
		return w.setErr(err)
	}
	return nil
}

// Finish ends the body — the last chunk and the trailers (fields the codec
// manages or that are invalid are left out) under chunked framing — and
// flushes. A body shorter than its Content-Length fails with ErrBodyLength:
// the message cannot be completed and its connection must close.
func (w *BodyWriter) Finish(trailers []Field) error {
	switch {
	case w.err != nil:
		return w.err
	case w.done:
		return nil
	case w.kind == bodyLength && w.left > 0:
		return w.setErr(ErrBodyLength)
	}
	if w.kind == bodyChunked {
		bw := w.enc.bw
		bw.WriteString("0\r\n")
		for _, f := range trailers {
			if validTokenString(f.Name) && validValueString(f.Value) && lookupKnown([]byte(f.Name)) == knownNone {
				bw.Write(appendFieldString(bw.AvailableBuffer(), f.Name, f.Value))
			}
		}
		bw.WriteString("\r\n")
	}
	if err := w.Flush(); err != nil {
		return err
	}
	w.done = true
	return nil
}

// Err returns the failure that ended the body, or nil.
func (w *BodyWriter) Err() error { return w.err }

// Done reports whether Finish completed the body.
func (w *BodyWriter) Done() bool { return w.done }

func (w *BodyWriter) setErr(err error) error {
	w.err = err
	if w.sc != nil {
		w.sc.closeAfter = true
	}
	return err
}
