package h2

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// relay writes the upstream response downstream: head (with mutations),
// body flushed as it arrives, then trailers. If the upstream fails mid-body
// the stream is reset rather than ended cleanly, so the client cannot take
// a truncated body for a whole one.
func (x *exchange) relay(w http.ResponseWriter, resp *http.Response, d *router.Dest, g *streamGuard) {
	defer resp.Body.Close()
	hdr := w.Header()
	for k, vs := range resp.Header {
		hdr[k] = vs
	}
	for _, k := range hopHeaders {
		delete(hdr, k)
	}
	delete(hdr, "Trailer") // announced again below, as the HTTP/2 server expects
	for k := range resp.Trailer {
		hdr.Add("Trailer", k)
	}
	applyMutations(hdr, d.Response)
	x.status = resp.StatusCode
	if x.grpc {
		x.grpcSt = grpcStatus(resp.Header)
	}
	w.WriteHeader(resp.StatusCode)
	if resp.ContentLength < 0 {
		// A body of unknown length may be a stream that takes a while to
		// start (or waits for the client): the head goes now.
		http.NewResponseController(w).Flush()
	}
	if err := copyFlushing(w, resp.Body, g); err != nil {
		x.flag = stats.FlagUpstreamReset
		if rep, ok := x.timedOut(g.ctx); ok {
			x.flag = rep.Flag
		}
		panic(http.ErrAbortHandler) // reset the stream: the body is incomplete
	}
	for k, vs := range resp.Trailer {
		hdr[http.TrailerPrefix+k] = vs
	}
	if x.grpc && x.grpcSt < 0 {
		x.grpcSt = grpcStatus(resp.Trailer)
	}
}

// copyFlushing copies body to w, flushing after every read so streams (gRPC,
// server-sent events) move frame by frame; each write is activity for g.
func copyFlushing(w http.ResponseWriter, body io.Reader, g *streamGuard) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil // the client went away; nothing more to do
			}
			if ferr := rc.Flush(); ferr != nil {
				return nil
			}
			g.touch()
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
