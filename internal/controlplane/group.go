package controlplane

import (
	"context"
	"errors"
	"sync"
)

// group runs the control plane's components: the first to fail (or ctx
// ending) stops them all, and wait returns that first error.
type group struct {
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	err    error
}

func (g *group) withContext(ctx context.Context) context.Context {
	g.ctx, g.cancel = context.WithCancel(ctx)
	return g.ctx
}

func (g *group) run(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		// A component stopped by the group's own cancellation did not fail.
		if err := fn(); err != nil && !(errors.Is(err, context.Canceled) && g.ctx.Err() != nil) {
			g.once.Do(func() { g.err = err })
		}
		g.cancel()
	}()
}

func (g *group) wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
