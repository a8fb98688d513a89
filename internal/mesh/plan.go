package mesh

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Plan is the address plan of one mesh: everything lives in 127.<Block>.0.0/16,
// so meshes in different blocks (a demo and a test run, say) never collide.
//
//	127.B.0.1:15010   control plane xDS (gRPC ADS)
//	127.B.0.1:15014   control plane admin (HTTP)
//	127.B.0.1:15099   held by the launcher while the mesh runs (the block's lease)
//	127.B.1.N         workload N's own address (its WorkloadEntry address); its
//	                  proxy's inbound listeners bind <addr>:<service port> and
//	                  its admin <addr>:15000
//	127.B.2.N         workload N's egress address: its proxy's outbound listeners
//	                  bind <egress>:<service port>; its app calls services there
//	127.0.0.1:P       workload N's app, P = 20000 + 100*B + N (the Sidecar
//	                  ingress defaultEndpoint; Istio requires 127.0.0.1 there)
//
// N counts workloads from 1 in Spec order. App ports stay below Linux's
// ephemeral range (32768+), so no outgoing connection can take one.
type Plan struct {
	Block int
}

// Block range: app ports must stay below 32768.
const (
	MinBlock = 1
	MaxBlock = 120
)

// Well-known ports, as Istio uses them.
const (
	xdsPort        = 15010
	cpAdminPort    = 15014
	leasePort      = 15099
	proxyAdminPort = 15000
	appPortBase    = 20000
)

// Validate checks the block is in range.
func (p Plan) Validate() error {
	if p.Block < MinBlock || p.Block > MaxBlock {
		return fmt.Errorf("address block %d: must be %d..%d", p.Block, MinBlock, MaxBlock)
	}
	return nil
}

func (p Plan) addr(c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, byte(p.Block), byte(c), byte(d)})
}

func hostPort(a netip.Addr, port int) string {
	return netip.AddrPortFrom(a, uint16(port)).String()
}

// ControlPlaneXDS is the control plane's xDS address.
func (p Plan) ControlPlaneXDS() string { return hostPort(p.addr(0, 1), xdsPort) }

// ControlPlaneAdmin is the control plane's admin address.
func (p Plan) ControlPlaneAdmin() string { return hostPort(p.addr(0, 1), cpAdminPort) }

func (p Plan) leaseAddr() string { return hostPort(p.addr(0, 1), leasePort) }

// WorkloadIP is the address of workload i (0-based, in Spec order).
func (p Plan) WorkloadIP(i int) netip.Addr { return p.addr(1, i+1) }

// EgressIP is where workload i's outbound listeners bind.
func (p Plan) EgressIP(i int) netip.Addr { return p.addr(2, i+1) }

// ProxyAdmin is the admin address of workload i's proxy.
func (p Plan) ProxyAdmin(i int) string { return hostPort(p.WorkloadIP(i), proxyAdminPort) }

// AppAddr is where workload i's app listens.
func (p Plan) AppAddr(i int) string {
	return "127.0.0.1:" + strconv.Itoa(appPortBase+100*p.Block+i+1)
}
