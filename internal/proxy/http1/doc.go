// Package http1 is Loom's HTTP/1.1 codec for proxying: it reads request and
// response heads into reusable structs without allocating, rewrites them for
// the next hop, and relays bodies with their framing re-checked, all on the
// goroutine that serves the downstream connection. It is not a general HTTP
// library and never touches net/http.
//
// # Shape of one exchange
//
// One goroutine owns a downstream [ServerConn] and, for the duration of an
// exchange, an upstream [ClientConn] taken from a pool:
//
//	pool := http1.NewPool(http1.Config{})
//	sc := pool.NewServerConn(downstreamConn)
//	defer sc.Close()
//	var req http1.Request
//	var resp http1.Response
//	for {
//		if err := sc.ReadRequest(&req); err != nil { ... } // io.EOF: client done
//		// route on req.Method(), req.Path(), req.Authority(), req.Header(...)
//		uc := ... // *http1.ClientConn from the upstream pool
//		if err := uc.WriteRequest(&req, &reqEdit); err != nil { ... }
//		if err := uc.ReadResponse(&resp, &req); err != nil { ... }
//		for resp.Interim() { sc.WriteInterim(&resp); uc.ReadResponse(&resp, &req) }
//		if err := sc.WriteResponse(&resp, &respEdit); err != nil { ... }
//		// return uc to the pool if uc.Reusable(), else close it
//		if !sc.KeepAlive() { return }
//	}
//
// # Framing and flushing
//
// Bodies are decoded (Content-Length, chunked, close-delimited) and encoded
// again for the next hop; chunk extensions are dropped, chunk sizes and
// trailers are validated and trailers are relayed. Writers flush only before a
// read that would block and at the end of a message, so a small response goes
// out in the same write as its head and a streaming body is never held back.
//
// # Errors
//
// Protocol violations are [*Error] values carrying the [Side] that sent them,
// a [Kind] and a readable reason; [Error.Status] gives the status a proxy
// should answer (400, 431, 501, 505 for downstream faults, 502 for upstream
// ones). I/O failures are [*IOError] values naming the side. See
// docs/http1.md for the design and its reasons.
package http1
