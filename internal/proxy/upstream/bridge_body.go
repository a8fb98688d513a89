package upstream

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
)

// bridgeBody is a bridged response's body: it reads from the connection,
// fills the response's trailers at the end, and gives the connection back
// when closed.
type bridgeBody struct {
	x    *bridge
	resp *http.Response
}

func (b *bridgeBody) Read(p []byte) (int, error) {
	n, err := b.x.body.Read(p)
	if errors.Is(err, io.EOF) {
		for name, value := range b.x.head.Trailers().EndToEnd() {
			if b.resp.Trailer == nil {
				b.resp.Trailer = http.Header{}
			}
			b.resp.Trailer.Add(string(name), string(value))
		}
	}
	return n, err
}

func (b *bridgeBody) Close() error {
	b.x.finish()
	return nil
}

var pumpBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// requestPump writes a request body to the upstream from its own goroutine.
// It reads the source without holding mu, so abandon never waits for the
// downstream: once abandoned it no longer touches the connection, and its
// goroutine ends as soon as the source returns (the HTTP/2 server ends
// every read when the stream's handler returns).
type requestPump struct {
	w         *http1.BodyWriter
	conn      net.Conn
	mu        sync.Mutex // held while writing to w
	abandoned bool
	finished  bool // the whole body and its trailers were sent
}

func startPump(w *http1.BodyWriter, conn net.Conn, req *http.Request, pumps *sync.WaitGroup) *requestPump {
	p := &requestPump{w: w, conn: conn}
	if pumps != nil {
		pumps.Add(1)
	}
	// The body and trailer map are this attempt's: a replay replaces the
	// request's Body while an abandoned pump may still be reading.
	src, trailer := req.Body, req.Trailer
	go func() {
		if pumps != nil {
			defer pumps.Done()
		}
		p.run(src, trailer)
	}()
	return p
}

func (p *requestPump) run(src io.Reader, trailer http.Header) {
	bp := pumpBufs.Get().(*[]byte)
	defer pumpBufs.Put(bp)
	buf := *bp
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.write(buf[:n]) {
			return
		}
		if errors.Is(err, io.EOF) {
			p.finish(trailer) // filled by the body at its end
			return
		}
		if err != nil {
			return // the request cannot be completed: the connection is not reused
		}
	}
}

func (p *requestPump) write(b []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.abandoned {
		return false
	}
	if _, err := p.w.Write(b); err != nil {
		return false
	}
	return p.w.Flush() == nil
}

func (p *requestPump) finish(trailer http.Header) {
	var fields []http1.Field
	for name, values := range trailer {
		for _, v := range values {
			fields = append(fields, http1.Field{Name: name, Value: v})
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.abandoned {
		p.finished = p.w.Finish(fields) == nil
	}
}

// abandonGrace is how long abandon lets a write in progress end by itself
// (a pump finishing the body) before it interrupts it.
const abandonGrace = 10 * time.Millisecond

// abandon stops the pump's use of the connection, interrupting a write
// blocked on it. It reports whether the body had been sent in full and the
// connection was left untouched (so it may be reused).
func (p *requestPump) abandon() bool {
	var interrupted atomic.Bool
	t := time.AfterFunc(abandonGrace, func() {
		interrupted.Store(true)
		p.conn.SetWriteDeadline(longAgo)
	})
	p.mu.Lock()
	stopped := t.Stop()
	defer p.mu.Unlock()
	p.abandoned = true
	return p.finished && stopped && !interrupted.Load()
}
