package h2

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/router"
)

// When the per-try timer fires as the response head arrives, Stop reports
// it fired while the timer's goroutine may not have cancelled the attempt
// yet: responseBegan must leave the attempt ended by the per-try timeout
// all the same (a nil cause made try return no response and no error, and
// its caller dereference the missing response).
func TestAttemptTimerFiredAlwaysEndsTheAttempt(t *testing.T) {
	rt := router.NewRouteTimer(context.Background(), 0)
	defer rt.Stop()
	rt.RequestComplete()
	x := &forwarding{rt: rt}
	for i := 0; i < 20000; i++ {
		actx, at := x.startAttempt(context.Background(), time.Nanosecond)
		for deadline := time.Now().Add(2 * time.Microsecond); time.Now().Before(deadline); {
		}
		if !at.responseBegan() && !errors.Is(context.Cause(actx), errPerTryTimeout) {
			t.Fatalf("iteration %d: the per-try timer fired but the attempt's cause is %v", i, context.Cause(actx))
		}
		at.end()
	}
}

// The per-try timeout counts from the end of the request: an attempt
// started while the body still streams does not time out until then.
func TestPerTryTimeoutWaitsForTheRequestToComplete(t *testing.T) {
	rt := router.NewRouteTimer(context.Background(), 0)
	defer rt.Stop()
	x := &forwarding{rt: rt}
	actx, at := x.startAttempt(context.Background(), 20*time.Millisecond)
	defer at.end()
	time.Sleep(60 * time.Millisecond)
	if actx.Err() != nil {
		t.Fatal("per-try timeout fired while the request was still streaming")
	}
	rt.RequestComplete()
	select {
	case <-actx.Done():
		if !errors.Is(context.Cause(actx), errPerTryTimeout) {
			t.Errorf("attempt ended by %v, want the per-try timeout", context.Cause(actx))
		}
	case <-time.After(time.Second):
		t.Error("per-try timeout did not fire after the request completed")
	}
}
