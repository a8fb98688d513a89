package http1

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

// hop is one request the scripted upstream expects and its answer.
type hop struct {
	want  string // bytes the upstream must receive
	reply string
	close bool // close the upstream connection after replying
	// fresh: this request must arrive on a new upstream connection.
	fresh bool
}

// step is something the client sends and then expects to read.
type step struct {
	send, expect string
}

type exchangeCase struct {
	name     string
	client   []step
	upstream []hop
	// clientEOF: the proxy must close the client connection at the end.
	clientEOF bool
	proxy     *testProxy // nil: defaults
	// wantRetries, wantDials: how the proxy used upstream connections
	// (dials 0 means don't check).
	wantRetries, wantDials int
}

const ioWait = 3 * time.Second

// runExchange plays tc against a real proxy and a scripted upstream over
// loopback TCP.
func runExchange(t *testing.T, tc exchangeCase) {
	t.Helper()
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	upErr := make(chan error, 1)
	go func() { upErr <- playUpstream(up, tc.upstream) }()
	p := tc.proxy
	if p == nil {
		p = &testProxy{}
	}
	p.upstream = up.Addr().String()
	p.logf = t.Logf
	client, err := net.Dial("tcp", startTestProxy(t, p))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for i, s := range tc.client {
		if err := playStep(client, s); err != nil {
			t.Fatalf("client step %d: %v", i, err)
		}
	}
	if err := <-upErr; err != nil {
		t.Fatalf("upstream: %v", err)
	}
	checkClientEnd(t, client, tc.clientEOF)
	client.Close()
	p.stop()
	dials, retries := p.counts()
	if retries != tc.wantRetries || tc.wantDials != 0 && dials != tc.wantDials {
		t.Errorf("upstream dials=%d retries=%d, want dials=%d retries=%d", dials, retries, tc.wantDials, tc.wantRetries)
	}
}

func playStep(c net.Conn, s step) error {
	if s.send != "" {
		if _, err := io.WriteString(c, s.send); err != nil {
			return err
		}
	}
	return expectBytes(c, s.expect)
}

func expectBytes(c net.Conn, want string) error {
	if want == "" {
		return nil
	}
	c.SetReadDeadline(time.Now().Add(ioWait))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c, got)
	if diff := cmp.Diff(want, string(got[:n])); diff != "" {
		return fmt.Errorf("read error %v; bytes (-want +got):\n%s", err, diff)
	}
	return nil
}

func playUpstream(ln net.Listener, hops []hop) error {
	var conn net.Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for i, h := range hops {
		if conn == nil || h.fresh {
			if conn != nil {
				conn.Close()
			}
			ln.(*net.TCPListener).SetDeadline(time.Now().Add(ioWait))
			c, err := ln.Accept()
			if err != nil {
				return fmt.Errorf("hop %d: accept: %w", i, err)
			}
			conn = c
		}
		if err := expectBytes(conn, h.want); err != nil {
			return fmt.Errorf("hop %d: %w", i, err)
		}
		if _, err := io.WriteString(conn, h.reply); err != nil {
			return fmt.Errorf("hop %d: %w", i, err)
		}
		if h.close {
			conn.Close()
			conn = nil
		}
	}
	return nil
}

// checkClientEnd checks that the client connection was closed by the proxy
// (wantEOF) or is still open with nothing more to read.
func checkClientEnd(t *testing.T, c net.Conn, wantEOF bool) {
	t.Helper()
	wait := 100 * time.Millisecond
	if wantEOF {
		wait = ioWait
	}
	c.SetReadDeadline(time.Now().Add(wait))
	var b [64]byte
	n, err := c.Read(b[:])
	switch {
	case n > 0:
		t.Errorf("unexpected extra bytes to client: %q", b[:n])
	case wantEOF && err != io.EOF:
		t.Errorf("client connection: got %v, want EOF (closed by proxy)", err)
	case !wantEOF && err == io.EOF:
		t.Errorf("client connection closed by proxy, want kept alive")
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
