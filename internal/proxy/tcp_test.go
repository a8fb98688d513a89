package proxy

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// startEcho is a TCP server that reads until the client half-closes, then
// writes back everything it read and closes.
func startEcho(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				data, _ := io.ReadAll(c)
				c.Write(data)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

func TestTCPEchoThroughTwoProxies(t *testing.T) {
	echo := startEcho(t)
	server := startProxy(t, time.Second)
	server.apply(snap([]*listener.Config{tcpListener("inbound_9000", "inbound|9000||")}, []*cluster.Config{staticCluster("inbound|9000||", cluster.HTTP1, echo)}))
	client := startProxy(t, time.Second)
	client.apply(snap([]*listener.Config{tcpListener("outbound_9000", "outbound|9000||echo")},
		[]*cluster.Config{staticCluster("outbound|9000||echo", cluster.HTTP1, server.addr("inbound_9000"))}))

	payload := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB, several buffers
	c, err := net.Dial("tcp", client.addr("outbound_9000"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		c.Write(payload)
		c.(*net.TCPConn).CloseWrite() // half-close: the echo answers after EOF
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Errorf("echoed %d bytes, want the %d sent, unchanged", len(got), len(payload))
	}
}

func TestTCPConnectFailureClosesDownstream(t *testing.T) {
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{tcpListener("out", "dead")}, []*cluster.Config{staticCluster("dead", cluster.HTTP1, deadAddr(t))}))
	c, err := net.Dial("tcp", p.addr("out"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("read %d bytes, want the connection closed", n)
	}
	if fails := p.dp.stats.Cluster("dead").CxConnectFail.Value(); fails == 0 {
		t.Error("connect failure not counted")
	}
}

func TestTCPIdleTimeout(t *testing.T) {
	echo := startEcho(t)
	p := startProxy(t, time.Second)
	l := tcpListener("out", "echo")
	l.Chain.TCP.IdleTimeout = 100 * time.Millisecond
	p.apply(snap([]*listener.Config{l}, []*cluster.Config{staticCluster("echo", cluster.HTTP1, echo)}))
	c, err := net.Dial("tcp", p.addr("out"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("idle connection: read returned %v after %v, want closed after ~100ms", err, time.Since(start))
	}
}
