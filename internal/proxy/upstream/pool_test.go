package upstream

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/lb"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// holder accepts connections and keeps them open until told to close them.
type holder struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func startHolder(t *testing.T) *holder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &holder{ln: ln}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		h.wg.Wait()
		h.closeAll()
	})
	return h
}

func (h *holder) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

func (h *holder) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

func (h *holder) addr() netip.AddrPort { return netip.MustParseAddrPort(h.ln.Addr().String()) }

func testCluster(t *testing.T, cfg *cluster.Config, addrs ...netip.AddrPort) *Cluster {
	c := newCluster(cfg.Name, &stats.Cluster{}, http1.NewPool(http1.Config{}))
	var eps []cluster.Endpoint
	for _, a := range addrs {
		eps = append(eps, cluster.Endpoint{Addr: a, Weight: 1, Healthy: true})
	}
	c.update(cfg, &cluster.Endpoints{Localities: []cluster.Locality{{Endpoints: eps}}}, lb.DefaultRegistry())
	t.Cleanup(c.close)
	return c
}

func TestPoolReusesMostRecentFirst(t *testing.T) {
	h := startHolder(t)
	c := testCluster(t, &cluster.Config{Name: "c", ConnectTimeout: time.Second}, h.addr())
	host := c.Hosts()[0]
	ctx := context.Background()
	var conns []*Conn
	for i := 0; i < 3; i++ {
		uc, err := c.Conn(ctx, host, false)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, uc)
	}
	for _, uc := range conns {
		host.h1.put(uc)
	}
	got, err := c.Conn(ctx, host, false)
	if err != nil {
		t.Fatal(err)
	}
	if got != conns[2] {
		t.Error("the pool did not hand out the most recently returned connection first (LIFO)")
	}
	fresh, err := c.Conn(ctx, host, true)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == conns[0] || fresh == conns[1] {
		t.Error("a fresh connection was asked for, got an idle one")
	}
	if n := c.Stats.CxTotal.Value(); n != 4 {
		t.Errorf("dialed %d connections, want 4", n)
	}
	host.h1.put(got)
	host.h1.put(fresh)
}

func TestPoolEvictsIdleAndClosedConnections(t *testing.T) {
	h := startHolder(t)
	c := testCluster(t, &cluster.Config{Name: "c", ConnectTimeout: time.Second, IdleTimeout: 100 * time.Millisecond}, h.addr())
	host := c.Hosts()[0]
	ctx := context.Background()
	uc, err := c.Conn(ctx, host, false)
	if err != nil {
		t.Fatal(err)
	}
	host.h1.put(uc)
	time.Sleep(120 * time.Millisecond)
	c.evict(time.Now())
	if n := c.Stats.CxIdleTimeout.Value(); n != 1 {
		t.Errorf("idle timeouts %d, want 1", n)
	}

	c2 := testCluster(t, &cluster.Config{Name: "c2", ConnectTimeout: time.Second}, h.addr())
	host2 := c2.Hosts()[0]
	uc, err = c2.Conn(ctx, host2, false)
	if err != nil {
		t.Fatal(err)
	}
	host2.h1.put(uc)
	waitUntil(t, func() bool { return h.count() == 2 })
	h.closeAll() // the upstream closes its idle connections
	time.Sleep(probeAfter + 20*time.Millisecond)
	next, err := c2.Conn(ctx, host2, false)
	if err != nil {
		t.Fatal(err)
	}
	if next == uc {
		t.Error("got the connection the upstream closed")
	}
	if n := c2.Stats.CxRemoteClose.Value(); n != 1 {
		t.Errorf("remote closes detected %d, want 1", n)
	}
	next.Release()
	if active := c2.Stats.CxActive.Value(); active != 0 {
		t.Errorf("active connections %d after releasing an unused one, want 0", active)
	}
}

func TestPoolWaitsForAConnectionUnderLimit(t *testing.T) {
	h := startHolder(t)
	c := testCluster(t, &cluster.Config{Name: "c", ConnectTimeout: time.Second,
		Limits: cluster.Limits{MaxConnections: 1, MaxPendingRequests: 1}}, h.addr())
	host := c.Hosts()[0]
	ctx := context.Background()
	first, err := c.Conn(ctx, host, false)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *Conn, 1)
	go func() {
		uc, err := c.Conn(ctx, host, false)
		if err != nil {
			t.Error(err)
		}
		got <- uc
	}()
	waitUntil(t, func() bool { return c.Stats.RqPending.Value() == 1 })
	if _, err := c.Conn(ctx, host, false); !errors.Is(err, ErrOverflow) {
		t.Errorf("third request: %v, want ErrOverflow", err)
	}
	host.h1.put(first)
	if uc := <-got; uc != first {
		t.Error("the waiting request did not get the released connection")
	} else {
		host.h1.put(uc)
	}
}

func TestRetiredHostKeepsPoolForInFlightPicks(t *testing.T) {
	h1, h2 := startHolder(t), startHolder(t)
	cfg := &cluster.Config{Name: "c", ConnectTimeout: time.Second}
	c := testCluster(t, cfg, h1.addr())
	old := c.Hosts()[0]
	c.update(cfg, &cluster.Endpoints{Localities: []cluster.Locality{{Endpoints: []cluster.Endpoint{{Addr: h2.addr(), Weight: 1, Healthy: true}}}}}, lb.DefaultRegistry())
	uc, err := c.Conn(context.Background(), old, false)
	if err != nil {
		t.Fatalf("a host picked from the previous config failed right after the swap: %v", err)
	}
	uc.Release()
	if c.evict(time.Now().Add(retireDelay)) {
		t.Error("retired host still kept after the retire delay")
	}
	if _, err := c.Conn(context.Background(), old, false); !errors.Is(err, ErrPoolClosed) {
		t.Errorf("retired host after the delay: %v, want ErrPoolClosed", err)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}

// A host with no connection may always open one, even when other hosts'
// idle connections hold every max_connections slot; a second connection to
// a host that has one still waits for a slot.
func TestPoolHostWithoutConnectionMayExceedClusterLimit(t *testing.T) {
	a, b := startHolder(t), startHolder(t)
	c := testCluster(t, &cluster.Config{Name: "c", ConnectTimeout: 200 * time.Millisecond,
		Limits: cluster.Limits{MaxConnections: 1, MaxPendingRequests: 1}}, a.addr(), b.addr())
	ctx := context.Background()
	hosts := c.Hosts()
	first, err := c.Conn(ctx, hosts[0], false)
	if err != nil {
		t.Fatal(err)
	}
	hosts[0].h1.put(first) // idle, still holding the cluster's only slot
	second, err := c.Conn(ctx, hosts[1], false)
	if err != nil {
		t.Fatalf("host without a connection: %v, want a new connection", err)
	}
	defer second.Release()
	if _, err := c.Conn(ctx, hosts[1], true); !errors.Is(err, ErrOverflow) {
		t.Errorf("second connection to a host that has one: %v, want ErrOverflow", err)
	}
	if got := c.conns.Load(); got != 2 {
		t.Errorf("cluster counts %d open connections, want 2", got)
	}
}
