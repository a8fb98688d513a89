package http1

import "errors"

// Side says which peer of the proxy a failure came from.
type Side uint8

// Sides.
const (
	Downstream Side = iota + 1 // the client talking to the proxy
	Upstream                   // the server the proxy talks to
)

func (s Side) String() string {
	switch s {
	case Downstream:
		return "downstream"
	case Upstream:
		return "upstream"
	}
	return "unknown side"
}

// Kind classifies a protocol error.
type Kind uint8

// Kinds of protocol errors.
const (
	// Malformed: bad syntax (request/status line, field name or value,
	// obs-fold, bare CR or LF, chunk size line, ...).
	Malformed Kind = iota + 1
	// Framing: a message whose length cannot be determined safely (both
	// Content-Length and Transfer-Encoding, conflicting Content-Length,
	// Transfer-Encoding in HTTP/1.0, body ending early). The smuggling class.
	Framing
	// HeadTooLarge: the head (or trailer section) exceeds Limits.MaxHeadBytes.
	HeadTooLarge
	// TooManyHeaders: more fields than Limits.MaxHeaders.
	TooManyHeaders
	// UnsupportedTransferEncoding: a transfer coding other than chunked.
	UnsupportedTransferEncoding
	// UnsupportedVersion: not HTTP/1.0 or HTTP/1.x.
	UnsupportedVersion
	// BadUpgrade: a 101 response to a request that did not ask to upgrade.
	BadUpgrade
)

// Error is a protocol violation by one side. Reason is short, lowercase and
// fit to show a person (it goes into proxy-generated error bodies).
type Error struct {
	Side   Side
	Kind   Kind
	Reason string
}

func (e *Error) Error() string {
	return "http1: " + e.Side.String() + ": " + e.Reason
}

// Status is the status a proxy should answer with: 502 for anything the
// upstream did; for the downstream 431 (too large), 501 (transfer coding),
// 505 (version) or 400.
func (e *Error) Status() int {
	if e.Side == Upstream {
		return 502
	}
	switch e.Kind {
	case HeadTooLarge, TooManyHeaders:
		return 431
	case UnsupportedTransferEncoding:
		return 501
	case UnsupportedVersion:
		return 505
	}
	return 400
}

// IOError is a read or write failure on one side's connection.
type IOError struct {
	Side Side
	Op   string // "read" or "write"
	Err  error
}

func (e *IOError) Error() string {
	return "http1: " + e.Side.String() + " " + e.Op + ": " + e.Err.Error()
}

func (e *IOError) Unwrap() error { return e.Err }

// ErrNotReplayable is returned by ClientConn.WriteRequest when the request's
// body was already streamed to another upstream and was not buffered.
var ErrNotReplayable = errors.New("http1: request body already sent and not buffered")

// ErrNotReusable is returned by ClientConn.WriteRequest on a connection
// whose previous exchange did not leave it Reusable.
var ErrNotReusable = errors.New("http1: upstream connection not reusable")

// ErrBadRewrite is returned by ClientConn.WriteRequest when a RequestEdit's
// Host, Path or PrefixRewrite holds bytes not allowed there (a rewrite built
// from config and the request must not inject a line into the head).
var ErrBadRewrite = errors.New("http1: rewritten host or path has invalid characters")

// ErrDetached is returned by operations on a connection after Detach or Close.
var ErrDetached = errors.New("http1: connection detached or closed")

func protoErr(side Side, kind Kind, reason string) *Error {
	return &Error{Side: side, Kind: kind, Reason: reason}
}

// errorSide returns the side an error of this package names, or 0.
func errorSide(err error) Side {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Side
	}
	var ioe *IOError
	if errors.As(err, &ioe) {
		return ioe.Side
	}
	return 0
}
