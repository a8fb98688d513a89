package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pair returns a raw Conn and the plain peer of a loopback connection.
func pair(t testing.TB) (*Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := New(c.(*net.TCPConn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rc.Close()
		peer.Close()
	})
	return rc, peer
}

func TestReadWriteLargeAndEOF(t *testing.T) {
	rc, peer := pair(t)
	payload := bytes.Repeat([]byte("0123456789"), 400_000) // 4 MB: writes hit EAGAIN and wait
	done := make(chan error, 1)
	go func() {
		_, err := rc.Write(payload)
		rc.CloseWrite()
		done <- err
	}()
	got, err := io.ReadAll(peer)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("peer read %d bytes (%v), want %d unchanged", len(got), err, len(payload))
	}
	if err := <-done; err != nil {
		t.Fatalf("write: %v", err)
	}
	go func() {
		peer.Write(payload[:1000])
		peer.Close()
	}()
	got, err = io.ReadAll(rc)
	if err != nil || len(got) != 1000 {
		t.Errorf("read %d bytes (%v), want 1000 then EOF", len(got), err)
	}
	if n, err := rc.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("read after EOF: %d %v", n, err)
	}
}

func TestDeadlineAndClose(t *testing.T) {
	rc, _ := pair(t)
	rc.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := rc.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past deadline: %v, want a timeout", err)
	}
	rc.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		rc.Close()
	}()
	if _, err := rc.Read(make([]byte, 10)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read during Close: %v, want net.ErrClosed", err)
	}
}

func BenchmarkReadWrite(b *testing.B) {
	rc, peer := pair(b)
	msg := make([]byte, 1024)
	buf := make([]byte, 1024)
	b.ReportAllocs()
	for b.Loop() {
		rc.Write(msg)
		io.ReadFull(peer, buf)
	}
}
