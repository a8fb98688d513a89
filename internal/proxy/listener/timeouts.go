package listener

import (
	"time"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// StreamTimeouts returns the stream idle timeout and the request timeout
// the data path enforces, 0 meaning none: an unset stream idle timeout is
// Envoy's default (DefaultStreamIdleTimeout), a disabled one none.
func (h *HTTPConnectionManager) StreamTimeouts() (idle, request time.Duration) {
	idle, request = h.StreamIdleTimeout, h.RequestTimeout
	if idle == 0 {
		idle = DefaultStreamIdleTimeout
	}
	if idle == xdsdecode.Disabled {
		idle = 0
	}
	if request == xdsdecode.Disabled {
		request = 0
	}
	return idle, request
}
