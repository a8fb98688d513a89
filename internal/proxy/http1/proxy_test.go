package http1

import (
	"errors"
	"net"
	"sync"
	"testing"
)

// testProxy is a minimal forwarder built the way the data path uses the
// codec: one goroutine per downstream connection, pooled upstream
// connections, retry of a replayable request that failed on a reused
// connection before any response byte. It serves the conformance tests and
// the forwarder benchmark.
type testProxy struct {
	pool      *Pool
	upstream  string
	bufferMax int64 // BufferBody bound for replayable requests
	reqEdit   *RequestEdit
	respEdit  *ResponseEdit
	// reject, when set, answers the request locally with its status.
	reject func(*Request) int
	dial   func(network, addr string) (net.Conn, error)
	logf   func(format string, args ...any)
	// wrap, when set, wraps each accepted downstream connection.
	wrap func(net.Conn) net.Conn
	// listen is the address to listen on (default 127.0.0.1:0).
	listen string

	mu      sync.Mutex
	idle    []*ClientConn
	dials   int
	retries int
	ln      net.Listener
	active  map[net.Conn]bool
	wg      sync.WaitGroup
}

func startTestProxy(t testing.TB, p *testProxy) string {
	t.Helper()
	if p.pool == nil {
		p.pool = NewPool(Config{})
	}
	if p.dial == nil {
		p.dial = net.Dial
	}
	if p.listen == "" {
		p.listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", p.listen)
	if err != nil {
		t.Fatal(err)
	}
	p.ln = ln
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.stop)
	return ln.Addr().String()
}

func (p *testProxy) acceptLoop() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.wrap != nil {
			conn = p.wrap(conn)
		}
		p.mu.Lock()
		if p.active == nil {
			p.active = map[net.Conn]bool{}
		}
		p.active[conn] = true
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serveConn(conn)
			p.mu.Lock()
			delete(p.active, conn)
			p.mu.Unlock()
		}()
	}
}

func (p *testProxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.idle {
		c.Close()
	}
	p.idle = nil
	for c := range p.active {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *testProxy) serveConn(conn net.Conn) {
	sc := p.pool.NewServerConn(conn)
	defer sc.Close()
	var req Request
	var resp Response
	for {
		if err := sc.ReadRequest(&req); err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				sc.WriteLocal(pe.Status(), nil, "text/plain", []byte(pe.Reason))
			}
			return
		}
		if p.reject != nil {
			if status := p.reject(&req); status != 0 {
				sc.WriteLocal(status, nil, "text/plain", []byte("rejected"))
				if !sc.KeepAlive() {
					return
				}
				continue
			}
		}
		if !p.exchange(sc, &req, &resp) || !sc.KeepAlive() {
			return
		}
	}
}

// exchange forwards one request; false means the downstream must close.
func (p *testProxy) exchange(sc *ServerConn, req *Request, resp *Response) bool {
	if p.bufferMax > 0 {
		if _, err := req.BufferBody(p.bufferMax); err != nil {
			return false
		}
	}
	for {
		uc, err := p.getConn()
		if err != nil {
			sc.WriteLocal(503, nil, "text/plain", []byte("upstream connect error"))
			return sc.KeepAlive()
		}
		err = p.roundTrip(sc, uc, req, resp)
		if err == nil {
			return p.respond(sc, uc, resp)
		}
		retry := uc.RetrySafe() && req.Replayable()
		uc.Close()
		if retry {
			p.mu.Lock()
			p.retries++
			p.mu.Unlock()
			continue
		}
		return p.fail(sc, err)
	}
}

// fail answers a failed exchange with the error's status when nothing of a
// response went out yet; false means the downstream must close.
func (p *testProxy) fail(sc *ServerConn, err error) bool {
	if p.logf != nil {
		p.logf("exchange failed: %v", err)
	}
	var ioe *IOError
	if sc.Committed() || errors.As(err, &ioe) && ioe.Side == Downstream {
		return false
	}
	status, reason := 502, "upstream reset before response"
	var pe *Error
	if errors.As(err, &pe) {
		status, reason = pe.Status(), pe.Reason
	}
	sc.WriteLocal(status, nil, "text/plain", []byte(reason))
	return sc.KeepAlive()
}

func (p *testProxy) roundTrip(sc *ServerConn, uc *ClientConn, req *Request, resp *Response) error {
	if err := uc.WriteRequest(req, p.reqEdit); err != nil && !(errorSide(err) == Upstream && uc.ResponseStarted()) {
		return err
	}
	for {
		if err := uc.ReadResponse(resp, req); err != nil {
			return err
		}
		if !resp.Interim() {
			return nil
		}
		if err := sc.WriteInterim(resp); err != nil {
			return err
		}
	}
}

func (p *testProxy) respond(sc *ServerConn, uc *ClientConn, resp *Response) bool {
	err := sc.WriteResponse(resp, p.respEdit)
	if err == nil && resp.Tunnel() {
		down, downPending := sc.Detach()
		up, upPending := uc.Detach()
		Tunnel(down, up, downPending, upPending)
		return false
	}
	p.putConn(uc)
	if err != nil {
		return p.fail(sc, err)
	}
	return true
}

func (p *testProxy) getConn() (*ClientConn, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.dials++
	p.mu.Unlock()
	conn, err := p.dial("tcp", p.upstream)
	if err != nil {
		return nil, err
	}
	return p.pool.NewClientConn(conn), nil
}

func (p *testProxy) putConn(c *ClientConn) {
	if !c.Reusable() {
		c.Close()
		return
	}
	p.mu.Lock()
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

func (p *testProxy) counts() (dials, retries int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dials, p.retries
}
