package controlplane

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func runDebouncer(t *testing.T, d debouncer) (chan struct{}, *atomic.Int32, func()) {
	t.Helper()
	changed := make(chan struct{}, 1)
	var pushes atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.run(ctx, changed, func(context.Context) { pushes.Add(1) })
	}()
	return changed, &pushes, func() { cancel(); <-done }
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func waitPushes(t *testing.T, pushes *atomic.Int32, want int32) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for pushes.Load() < want {
		if time.Now().After(deadline) {
			t.Fatalf("pushes = %d, want %d", pushes.Load(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDebouncerFoldsABurstIntoOnePush(t *testing.T) {
	changed, pushes, stop := runDebouncer(t, debouncer{quiet: 200 * time.Millisecond, max: 5 * time.Second})
	defer stop()
	signal(changed) // the first change is pushed at once
	waitPushes(t, pushes, 1)
	for range 10 {
		signal(changed)
		time.Sleep(5 * time.Millisecond)
	}
	waitPushes(t, pushes, 2)
	time.Sleep(400 * time.Millisecond)
	if n := pushes.Load(); n != 2 {
		t.Fatalf("a burst of 10 changes made %d pushes after the first, want 1", n-1)
	}
}

func TestDebouncerPushesUnderConstantChangeAfterMax(t *testing.T) {
	changed, pushes, stop := runDebouncer(t, debouncer{quiet: time.Second, max: 100 * time.Millisecond})
	defer stop()
	signal(changed)
	waitPushes(t, pushes, 1)
	stopChanges := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopChanges:
				return
			case <-time.After(10 * time.Millisecond):
				signal(changed)
			}
		}
	}()
	// Changes never go quiet for 1 s, yet pushes keep coming (bounded by max).
	waitPushes(t, pushes, 3)
	close(stopChanges)
}
