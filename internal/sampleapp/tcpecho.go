package sampleapp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
)

// tcpEcho writes back every byte it reads on each connection and half-closes
// when the client does.
type tcpEcho struct {
	logger *slog.Logger
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// serve accepts until ctx ends or ln fails, then closes every connection and
// waits for their handlers.
func (e *tcpEcho) serve(ctx context.Context, ln net.Listener) error {
	e.conns = make(map[net.Conn]struct{})
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer e.wg.Wait()
	defer e.closeAll()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		e.track(c, true)
		e.wg.Go(func() {
			defer e.track(c, false)
			e.echo(c)
		})
	}
}

func (e *tcpEcho) track(c net.Conn, add bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if add {
		e.conns[c] = struct{}{}
	} else {
		delete(e.conns, c)
	}
}

func (e *tcpEcho) closeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.conns {
		c.Close()
	}
}

func (e *tcpEcho) echo(c net.Conn) {
	defer c.Close()
	if _, err := io.Copy(c, c); err != nil && !errors.Is(err, net.ErrClosed) {
		e.logger.Debug("tcp echo", "remote", c.RemoteAddr(), "err", err)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}
