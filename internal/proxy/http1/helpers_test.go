package http1

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"time"
)

// memConn is a net.Conn over an in-memory reader and writer, for parser
// tests and fuzzing (socket behaviour is tested over real TCP elsewhere).
type memConn struct {
	r io.Reader
	w bytes.Buffer
}

func newMemConn(in string) *memConn { return &memConn{r: strings.NewReader(in)} }

func (c *memConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *memConn) Write(p []byte) (int, error)      { return c.w.Write(p) }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// repeatConn replays one payload forever and discards writes: a zero-cost
// peer for allocation benchmarks.
type repeatConn struct {
	payload []byte
	off     int
}

func (c *repeatConn) Read(p []byte) (int, error) {
	n := copy(p, c.payload[c.off:])
	c.off = (c.off + n) % len(c.payload)
	return n, nil
}
func (c *repeatConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *repeatConn) Close() error                     { return nil }
func (c *repeatConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *repeatConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *repeatConn) SetDeadline(time.Time) error      { return nil }
func (c *repeatConn) SetReadDeadline(time.Time) error  { return nil }
func (c *repeatConn) SetWriteDeadline(time.Time) error { return nil }

// reqSummary is what a test compares about a parsed request.
type reqSummary struct {
	Method, Target, Path, Query string
	HasQuery                    bool
	Authority                   string
	Minor                       int
	Headers                     []string // "name: value"
	ContentLength               int64
	HasBody, Close, Expect      bool
	Upgrade                     string
}

func summarizeRequest(r *Request) reqSummary {
	q, hasQ := r.Query()
	s := reqSummary{
		Method: string(r.Method()), Target: string(r.Target()), Path: string(r.Path()),
		Query: string(q), HasQuery: hasQ, Authority: string(r.Authority()),
		Minor: r.ProtoMinor(), ContentLength: r.ContentLength(), HasBody: r.HasBody(),
		Close: r.WantsClose(), Expect: r.ExpectsContinue(), Upgrade: string(r.Upgrade()),
	}
	for name, value := range r.Headers().All() {
		s.Headers = append(s.Headers, string(name)+": "+string(value))
	}
	return s
}

type respSummary struct {
	Status        int
	Reason        string
	Minor         int
	Headers       []string
	ContentLength int64
	HasBody       bool
	Close         bool
	Tunnel        bool
	Interim       bool
}

func summarizeResponse(r *Response) respSummary {
	s := respSummary{
		Status: r.Status(), Reason: string(r.Reason()), Minor: r.ProtoMinor(),
		ContentLength: r.ContentLength(), HasBody: r.HasBody(), Close: r.WantsClose(),
		Tunnel: r.Tunnel(), Interim: r.Interim(),
	}
	for i := 0; i < r.Headers().Len(); i++ {
		name, value := r.Headers().At(i)
		s.Headers = append(s.Headers, string(name)+": "+string(value))
	}
	return s
}

// errSummary is the comparable part of a codec error.
type errSummary struct {
	Side   Side
	Kind   Kind
	Status int
}

func summarizeErr(err error) *errSummary {
	if err == nil {
		return nil
	}
	var pe *Error
	if !errors.As(err, &pe) {
		return &errSummary{Status: -1}
	}
	return &errSummary{Side: pe.Side, Kind: pe.Kind, Status: pe.Status()}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
