package proxy

import (
	"net/netip"
	"sync"

	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// addressLearner passes snapshots on and reports, once, the workload address
// the first snapshot's inbound listeners carry (invalid when none does).
type addressLearner struct {
	next snapshot.Sink
	once sync.Once
	addr chan netip.Addr // 1-buffered
}

func (l *addressLearner) Apply(s *snapshot.Snapshot) {
	l.next.Apply(s)
	l.once.Do(func() { l.addr <- workloadAddress(s) })
}

func workloadAddress(s *snapshot.Snapshot) netip.Addr {
	for _, l := range s.Listeners {
		if l.Direction == listener.Inbound && l.Workload.Address.IsValid() {
			return l.Workload.Address
		}
	}
	return netip.Addr{}
}
