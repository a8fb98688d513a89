package xdsserver

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/xds"
)

// PushStats describes one Update.
type PushStats struct {
	Seq      uint64
	Proxies  int
	Duration time.Duration
}

// Update makes gen the current push: every connected proxy is regenerated
// (in parallel, at most Workers at once) and sent the types whose resources
// changed. Proxies connecting from now on are generated from gen. Update
// returns when every proxy has been regenerated and its responses queued;
// it never waits for a proxy to read them. Calls are serialized.
func (s *Server) Update(ctx context.Context, gen Generator) PushStats {
	s.pushMu.Lock()
	defer s.pushMu.Unlock()
	start := time.Now()
	memo := newSetMemo(s.log)
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.gen, s.memo = gen, memo
	s.pushes++
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.markReady()

	s.parallel(ctx, conns, func(c *conn) {
		c.mu.Lock()
		p := c.proxy
		c.mu.Unlock()
		if p == nil {
			return // not identified yet: identify generates from gen
		}
		if res, ok := s.generate(gen, p); ok {
			c.apply(res, seq, memo)
		}
	})
	stats := PushStats{Seq: seq, Proxies: len(conns), Duration: time.Since(start)}
	s.log.Debug("pushed", "seq", seq, "proxies", stats.Proxies, "duration", stats.Duration)
	return stats
}

func (s *Server) markReady() {
	select {
	case <-s.ready:
	default:
		close(s.ready)
	}
}

// parallel runs fn for each conn on at most s.workers goroutines, all of
// which have ended when it returns.
func (s *Server) parallel(ctx context.Context, conns []*conn, fn func(*conn)) {
	work := make(chan *conn)
	var wg sync.WaitGroup
	for range min(s.workers, len(conns)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				fn(c)
			}
		}()
	}
	for _, c := range conns {
		if ctx.Err() != nil {
			break
		}
		work <- c
	}
	close(work)
	wg.Wait()
}

// generate runs the generator for one proxy. A generator that panics is a
// bug; the proxy keeps what it has and the control plane keeps serving.
func (s *Server) generate(gen Generator, p *xds.Proxy) (res xds.ProxyResources, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("xDS generation failed", "proxy", p.ID.String(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			res, ok = nil, false
		}
	}()
	return gen.Generate(p), true
}

func (s *Server) addConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[streamKey{id: c.streamID, delta: c.delta}] = c
}

func (s *Server) removeConn(key streamKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conns[key]
	if c == nil {
		return
	}
	delete(s.conns, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending != nil {
		delete(s.pending, c.pending)
	}
	for _, ts := range c.types {
		ts.watch = nil
	}
	c.leaveGate()
	if c.proxy != nil {
		c.log.Info("proxy disconnected", "connected_for", time.Since(c.since).Round(time.Millisecond))
	}
}

func (s *Server) connByStream(key streamKey) *conn {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.conns[key]
}

// streamKey identifies a stream: go-control-plane's state-of-the-world and
// delta servers number their streams independently, both from 1.
type streamKey struct {
	id    int64
	delta bool
}

// setPending remembers which stream req arrived on, until CreateWatch takes
// it. A request go-control-plane drops (stale nonce) is replaced by the next.
func (s *Server) setPending(c *conn, req any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending != nil {
		delete(s.pending, c.pending)
	}
	c.pending = req
	s.pending[req] = c
}
