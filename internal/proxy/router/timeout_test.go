package router

import (
	"context"
	"testing"
	"time"
)

// Stop reports false when fire already ran: also when asked a second time
// (responseBegan then end, or any caller that checks twice).
func TestAttemptStopAfterFireStaysFalse(t *testing.T) {
	rt := NewRouteTimer(context.Background(), 0)
	defer rt.Stop()
	rt.RequestComplete()
	fired := make(chan struct{})
	a := rt.PerTry(time.Millisecond, func() { close(fired) })
	<-fired
	if a.Stop() {
		t.Fatal("first Stop after fire reported true")
	}
	if a.Stop() {
		t.Error("second Stop after fire reported true: fire ran, the doc says false")
	}
}
