package server

import (
	"fmt"
	"slices"
	"strings"
)

// bindFailure is a listener of the current config that could not bind its
// address (retried every second).
type bindFailure struct {
	addr string
	err  error
}

// Ready reports whether the proxy serves its whole config: a snapshot was
// applied, every listener is bound, and it is not draining.
func (s *Server) Ready() bool {
	if !s.applied.Load() || s.draining.Load() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending) == 0
}

// NotReady explains why the data path does not serve the applied config, or
// returns "" when it does. Listeners that failed to bind make it not ready
// until they bind (the admin endpoint's /ready reports it); listeners still
// waiting for their routes do not, as the xDS client's sync covers them.
func (s *Server) NotReady() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bindErrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(s.bindErrs))
	for name := range s.bindErrs {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		f := s.bindErrs[name]
		parts = append(parts, fmt.Sprintf("listener %s cannot bind %s: %v", name, f.addr, bindReason(f.err)))
	}
	return "LISTENER BIND FAILED: " + strings.Join(parts, "; ") + " (retrying every second)"
}

// bindReason is the error without the "listen tcp <addr>:" prefix the
// message already names.
func bindReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "listen ") {
		return msg[i+2:]
	}
	return msg
}
