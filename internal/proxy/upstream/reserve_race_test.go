package upstream

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
)

// The exception to max_connections for a host with no connection lets one
// connection through, however many dials race for it (the TCP proxy's are
// not serialized by a pool).
func TestConcurrentDialsToAHostWithoutConnectionOpenOne(t *testing.T) {
	a, b := startHolder(t), startHolder(t)
	c := testCluster(t, &cluster.Config{Name: "c", ConnectTimeout: time.Second,
		Limits: cluster.Limits{MaxConnections: 1}}, a.addr(), b.addr())
	hosts := c.Hosts()
	first, err := c.DialTCP(context.Background(), hosts[0]) // takes the only slot
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	worst := 0
	for round := 0; round < 2000 && worst <= 1; round++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var conns []net.Conn
		start := make(chan struct{})
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if nc, err := c.DialTCP(context.Background(), hosts[1]); err == nil {
					mu.Lock()
					conns = append(conns, nc)
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		worst = max(worst, len(conns))
		for _, nc := range conns {
			nc.Close()
		}
	}
	if worst > 1 {
		t.Errorf("%d concurrent connections opened to a host that had none, past max_connections=1; want 1", worst)
	}
}
