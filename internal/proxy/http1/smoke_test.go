package http1

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

func TestSmokeProxyOneExchange(t *testing.T) {
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	go func() {
		c, err := up.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	}()
	a, b := tcpPair(t)
	pool := NewPool(Config{})
	sc := pool.NewServerConn(b)
	go io.WriteString(a, "GET /x?y=1 HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, x-foo\r\nX-Foo: 1\r\n\r\n")
	var req Request
	if err := sc.ReadRequest(&req); err != nil {
		t.Fatal(err)
	}
	uconn, err := net.Dial("tcp", up.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	uc := pool.NewClientConn(uconn)
	defer uc.Close()
	if err := uc.WriteRequest(&req, nil); err != nil {
		t.Fatal(err)
	}
	var resp Response
	if err := uc.ReadResponse(&resp, &req); err != nil {
		t.Fatal(err)
	}
	if err := sc.WriteResponse(&resp, nil); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
	if _, err := io.ReadFull(a, got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(got), "hello") || !uc.Reusable() || !sc.KeepAlive() {
		t.Fatalf("got %q reusable=%v keepalive=%v", got, uc.Reusable(), sc.KeepAlive())
	}
	sc.Close()
	a.Close()
}

func tcpPair(t testing.TB) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		ch <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-ch
	if server == nil {
		t.Fatal("accept failed")
	}
	return client, server
}
