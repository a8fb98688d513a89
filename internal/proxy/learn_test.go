package proxy

import (
	"net/netip"
	"testing"

	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

type nopSink struct{ n int }

func (s *nopSink) Apply(*snapshot.Snapshot) { s.n++ }

func TestAdminAddressLearnedFromInboundListener(t *testing.T) {
	out := httpListener("out", 9080, routes())
	in := httpListener("in", 9080, routes())
	in.Direction = listener.Inbound
	in.Workload.Address = netip.MustParseAddr("127.0.1.3")
	next := &nopSink{}
	l := &addressLearner{next: next, addr: make(chan netip.Addr, 1)}
	l.Apply(snap([]*listener.Config{out, in}, nil))
	l.Apply(snap([]*listener.Config{out}, nil)) // only the first config teaches
	if next.n != 2 {
		t.Errorf("passed on %d snapshots, want 2", next.n)
	}
	ip := <-l.addr
	if got := (Config{}).adminAddress(ip); got != "127.0.1.3:15000" {
		t.Errorf("admin address %s, want 127.0.1.3:15000", got)
	}
	if got := (Config{AdminAddress: "127.0.0.1:9901"}).adminAddress(ip); got != "127.0.0.1:9901" {
		t.Errorf("--admin-address ignored: %s", got)
	}
	if a := workloadAddress(snap([]*listener.Config{out}, nil)); a.IsValid() {
		t.Errorf("outbound-only config gave address %s, want none", a)
	}
}
