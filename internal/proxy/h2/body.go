package h2

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// replayLimit bounds the request body kept for retries. A body that grows
// past it still streams, but a failed attempt can then no longer be retried.
const replayLimit = 64 << 10

var (
	errAttemptOver = errors.New("h2: request body read after its attempt ended")
	errBodyLost    = errors.New("h2: request body outgrew the replay buffer while an earlier attempt read it; it cannot be sent again")
)

// replayBody streams the downstream request body to the upstream while
// keeping a copy (up to replayLimit) so a retry can send it again. Each
// attempt reads through its own reader: first the kept bytes, then the rest
// of the stream. A reader of an abandoned attempt may still be blocked in a
// read on the transport's goroutine; the bytes it gets are kept for the next
// attempt rather than lost, and a new attempt never waits for it.
type replayBody struct {
	readMu sync.Mutex // serializes src reads; held while blocked in one
	mu     sync.Mutex // guards buf, err, trailer, cur; never held while blocking
	src    io.Reader
	buf    []byte
	read   int   // bytes read from src so far
	over   bool  // more than replayLimit was read: buf is gone
	err    error // src's terminal error (io.EOF at the end)
	// trailers returns the downstream trailers; called once src returned
	// io.EOF, on the goroutine that read it (the only moment net/http lets
	// a server's request trailers be read).
	trailers func() http.Header
	trailer  http.Header // what trailers returned
	cur      *attemptBody
}

// trailerSource is a request body that knows its own trailers (a body
// translated from HTTP/1.1); others have theirs in the request's Trailer.
type trailerSource interface {
	Trailer() http.Header
}

func newReplayBody(r *http.Request) *replayBody {
	b := &replayBody{src: r.Body, trailers: func() http.Header { return r.Trailer }}
	if ts, ok := r.Body.(trailerSource); ok {
		b.trailers = ts.Trailer
	}
	return b
}

// replayable reports whether a new attempt could send the body from its start.
func (b *replayBody) replayable() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.over
}

// attempt returns the reader for a new attempt, ending the previous one.
// When it reaches the end of the body it copies the downstream trailers
// into trailer (the attempt's own request's, when non-nil) before returning
// io.EOF, which is when an HTTP client reads them.
func (b *replayBody) attempt(trailer http.Header) *attemptBody {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur != nil {
		b.cur.dead.Store(true)
	}
	b.cur = &attemptBody{b: b, trailer: trailer}
	return b.cur
}

type attemptBody struct {
	b       *replayBody
	pos     int
	dead    atomic.Bool
	trailer http.Header
}

// atEOF fills the attempt's trailers. b.mu is held.
func (a *attemptBody) atEOF(err error) {
	if !errors.Is(err, io.EOF) || a.trailer == nil {
		return
	}
	for k, vs := range a.b.trailer {
		a.trailer[k] = vs
	}
}

func (a *attemptBody) Read(p []byte) (int, error) {
	if n, err, done := a.fromBuffer(p); done {
		return n, err
	}
	b := a.b
	b.readMu.Lock()
	defer b.readMu.Unlock()
	// Another attempt's read may have filled buf while we waited.
	if n, err, done := a.fromBuffer(p); done {
		return n, err
	}
	n, err := b.src.Read(p)
	var trailer http.Header
	if errors.Is(err, io.EOF) {
		trailer = b.trailers()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keep(p[:n])
	b.read += n
	if err != nil {
		b.err, b.trailer = err, trailer
	}
	if a.dead.Load() {
		return 0, errAttemptOver
	}
	a.pos += n
	a.atEOF(err)
	return n, err
}

// fromBuffer serves p from the kept bytes or the terminal error; done is
// false when the caller must read from the stream.
func (a *attemptBody) fromBuffer(p []byte) (int, error, bool) {
	b := a.b
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case a.dead.Load():
		return 0, errAttemptOver, true
	case a.pos < b.read && b.over:
		// An abandoned attempt read past the limit after this one began:
		// the bytes this one has not sent yet are gone.
		return 0, errBodyLost, true
	case a.pos < b.read:
		n := copy(p, b.buf[a.pos:])
		a.pos += n
		return n, nil, true
	case b.err != nil:
		a.atEOF(b.err)
		return 0, b.err, true
	}
	return 0, nil, false
}

// keep appends read bytes to the replay copy, dropping it past the limit.
func (b *replayBody) keep(p []byte) {
	if b.over || len(p) == 0 {
		return
	}
	if len(b.buf)+len(p) > replayLimit {
		b.over = true
		b.buf = nil
		return
	}
	b.buf = append(b.buf, p...)
}

// Close ends this attempt's use of the body; the downstream body itself is
// closed by the server when the handler returns.
func (a *attemptBody) Close() error {
	a.dead.Store(true)
	return nil
}
