package controlplane

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/xds"
	"github.com/loom-mesh/loom/internal/xdsserver"
)

// PushTarget receives each new push: *xdsserver.Server is one.
type PushTarget interface {
	Update(ctx context.Context, gen xdsserver.Generator) xdsserver.PushStats
}

// Pipeline turns config snapshots into pushes: every change is debounced,
// then the registry and one new xds.Push are built and handed to the target.
type Pipeline struct {
	Source        config.Source
	Target        PushTarget
	DebounceQuiet time.Duration
	DebounceMax   time.Duration
	Logger        *slog.Logger

	problems *problemLog
	latest   atomic.Pointer[config.Snapshot]
	prev     *xds.Push // owned by the push loop
	registry registryCache
}

// Run reads the source and pushes until ctx ends or the source fails.
func (p *Pipeline) Run(ctx context.Context) error {
	if p.problems == nil {
		p.problems = newProblemLog(p.Logger)
	}
	changed := make(chan struct{}, 1)
	publish := func(s *config.Snapshot) {
		p.latest.Store(s)
		select {
		case changed <- struct{}{}:
		default: // a push is already due; it will read the latest snapshot
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		debouncer{quiet: p.DebounceQuiet, max: p.DebounceMax}.run(ctx, changed, p.push)
	}()
	err := p.Source.Run(ctx, publish)
	cancel()
	<-loopDone
	return err
}

// push builds a push from the latest snapshot and hands it to the target.
func (p *Pipeline) push(ctx context.Context) {
	snap := p.latest.Load()
	if snap == nil {
		return
	}
	start := time.Now()
	reg, regProblems := p.registry.get(snap)
	next := xds.NewPush(snap, reg, p.prev)
	built := time.Since(start)
	stats := p.Target.Update(ctx, next)
	p.prev = next
	found := append(append(append([]config.Problem(nil), snap.Problems...), regProblems...), next.Problems()...)
	p.problems.update(snap.Version, found)
	p.Logger.Info("pushed config", "config_version", snap.Version, "push", next.Sequence,
		"proxies", stats.Proxies, "build", built.Round(time.Microsecond), "push_duration", stats.Duration.Round(time.Microsecond))
}
