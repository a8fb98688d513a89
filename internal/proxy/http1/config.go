package http1

import (
	"bufio"
	"sync"
	"time"
)

// Defaults for Config's zero fields.
const (
	DefaultMaxHeadBytes    = 60 << 10 // Envoy's max_request_headers_kb default
	DefaultMaxHeaders      = 100      // Envoy's max_headers_count default
	DefaultReadBufferSize  = 4 << 10  // a typical head and a 1 KB body arrive in one read
	DefaultWriteBufferSize = 8 << 10  // head and small body leave in one write
	DefaultLingerTimeout   = 500 * time.Millisecond
	DefaultLingerBytes     = 256 << 10
)

// Config tunes a Pool and the connections it wraps. The zero value is usable.
type Config struct {
	// MaxHeadBytes bounds a request or response head, and separately a
	// trailer section, in bytes including line ends.
	MaxHeadBytes int
	// MaxHeaders bounds the number of fields in a head or trailer section.
	MaxHeaders int
	// ReadBufferSize and WriteBufferSize size each connection's bufio buffers.
	// A body piece at least ReadBufferSize long bypasses the read buffer.
	ReadBufferSize  int
	WriteBufferSize int
	// LingerTimeout and LingerBytes bound how long and how much ServerConn.Close
	// drains from a client whose request body was not read, so the client sees
	// the response rather than a reset.
	LingerTimeout time.Duration
	LingerBytes   int64
}

func (c Config) withDefaults() Config {
	if c.MaxHeadBytes <= 0 {
		c.MaxHeadBytes = DefaultMaxHeadBytes
	}
	if c.MaxHeaders <= 0 {
		c.MaxHeaders = DefaultMaxHeaders
	}
	if c.ReadBufferSize < 256 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.WriteBufferSize < 256 {
		c.WriteBufferSize = DefaultWriteBufferSize
	}
	if c.LingerTimeout <= 0 {
		c.LingerTimeout = DefaultLingerTimeout
	}
	if c.LingerBytes <= 0 {
		c.LingerBytes = DefaultLingerBytes
	}
	return c
}

// maxPooledBody is the largest body buffer returned to the pool.
const maxPooledBody = 1 << 20

// Pool hands out connection wrappers and recycles their buffers. It is safe
// for concurrent use; one Pool normally serves a whole proxy.
type Pool struct {
	cfg     Config
	readers sync.Pool // *bufio.Reader
	writers sync.Pool // *bufio.Writer
	bodies  sync.Pool // *[]byte
}

// NewPool returns a Pool for cfg (zero fields take the defaults).
func NewPool(cfg Config) *Pool {
	p := &Pool{cfg: cfg.withDefaults()}
	p.readers.New = func() any { return bufio.NewReaderSize(nil, p.cfg.ReadBufferSize) }
	p.writers.New = func() any { return bufio.NewWriterSize(nil, p.cfg.WriteBufferSize) }
	p.bodies.New = func() any { b := make([]byte, 0, 16<<10); return &b }
	return p
}

// Config returns the pool's configuration with defaults filled in.
func (p *Pool) Config() Config { return p.cfg }

func (p *Pool) getReader(w *wire) *bufio.Reader {
	br := p.readers.Get().(*bufio.Reader)
	br.Reset(w)
	return br
}

func (p *Pool) putReader(br *bufio.Reader) {
	br.Reset(nil)
	p.readers.Put(br)
}

func (p *Pool) getWriter(w *wire) *bufio.Writer {
	bw := p.writers.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

func (p *Pool) putWriter(bw *bufio.Writer) {
	bw.Reset(nil)
	p.writers.Put(bw)
}

func (p *Pool) getBody() *[]byte {
	b := p.bodies.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

func (p *Pool) putBody(b *[]byte) {
	if cap(*b) <= maxPooledBody {
		p.bodies.Put(b)
	}
}
