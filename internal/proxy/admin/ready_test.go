package admin

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

// fakeDataPlane reports a settable reason.
type fakeDataPlane struct{ reason atomic.Value }

func (d *fakeDataPlane) NotReady() string {
	s, _ := d.reason.Load().(string)
	return s
}

func TestReadyAsksTheDataPlane(t *testing.T) {
	dp := &fakeDataPlane{}
	dp.reason.Store("LISTENER BIND FAILED: listener a cannot bind 127.0.0.1:1: address already in use")
	f := newFixture(t, Options{DataPlane: dp})
	expect(t, f, "GET", "/ready", http.StatusServiceUnavailable, "INITIALIZING") // xDS first
	f.sync(t, "1", xdstest.BaseMesh(t, "127.0.2.1"))
	expect(t, f, "GET", "/ready", http.StatusServiceUnavailable, "LISTENER BIND FAILED: listener a cannot bind 127.0.0.1:1")
	dp.reason.Store("")
	expect(t, f, "GET", "/ready", http.StatusOK, "LIVE")
}
