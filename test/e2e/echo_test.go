package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/loom-mesh/loom/internal/mesh"
	"github.com/loom-mesh/loom/internal/sampleapp"
)

// echoMesh: a client workload (a sidecar, no app) calling a gRPC echo server
// and a TCP echo server, each behind its own sidecar.
func echoMesh() mesh.Spec {
	return mesh.Spec{
		Services: []mesh.Service{
			{Name: "grpc-echo", Port: 9090, Protocol: mesh.GRPC},
			{Name: "tcp-echo", Port: 9000, Protocol: mesh.TCP},
		},
		Workloads: []mesh.Workload{
			{Name: "client", Version: "v1", Calls: []string{"grpc-echo", "tcp-echo"}},
			{Name: "grpc-echo-v1", Service: "grpc-echo", Version: "v1", App: &mesh.App{Kind: sampleapp.KindGRPCEcho}},
			{Name: "tcp-echo-v1", Service: "tcp-echo", Version: "v1", App: &mesh.App{Kind: sampleapp.KindTCPEcho}},
		},
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// gRPC unary and streaming calls and raw TCP pass through client sidecar →
// server sidecar unchanged: messages, metadata, trailers, status codes, bytes.
func TestGRPCAndTCPThroughTwoProxies(t *testing.T) {
	m := startMesh(t, echoMesh(), nil)
	client := workload(t, m, "client")
	t.Run("grpc", func(t *testing.T) {
		cc, err := grpc.NewClient(client.Egress["grpc-echo"], grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		t.Run("unary", func(t *testing.T) { grpcUnary(t, cc) })
		t.Run("status", func(t *testing.T) { grpcStatus(t, cc) })
		t.Run("bidi stream", func(t *testing.T) { grpcStream(t, cc) })
	})
	t.Run("tcp", func(t *testing.T) { tcpEcho(t, client.Egress["tcp-echo"]) })
}

func grpcUnary(t *testing.T, cc *grpc.ClientConn) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "x-echo-color", "blue", "x-echo-bin", "a\x00b")
	for _, size := range []int{0, 1, 64 << 10, 1 << 20} {
		in := randomBytes(size)
		var hdr, trl metadata.MD
		out := new(wrapperspb.BytesValue)
		if err := cc.Invoke(ctx, sampleapp.EchoUnaryMethod, wrapperspb.Bytes(in), out, grpc.Header(&hdr), grpc.Trailer(&trl)); err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if !bytes.Equal(out.Value, in) {
			t.Fatalf("%d bytes: echo differs (%d bytes back)", size, len(out.Value))
		}
		if got := hdr.Get("x-echo-color"); len(got) != 1 || got[0] != "blue" {
			t.Errorf("response header x-echo-color = %q, want blue", got)
		}
		if got := trl.Get(sampleapp.EchoTrailerKey); len(got) != 1 || got[0] != "1" {
			t.Errorf("trailer %s = %q, want 1", sampleapp.EchoTrailerKey, got)
		}
	}
}

func grpcStatus(t *testing.T, cc *grpc.ClientConn) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := cc.Invoke(ctx, sampleapp.EchoUnaryMethod, wrapperspb.Bytes([]byte("status:7:no entry for you")), new(wrapperspb.BytesValue))
	if s := status.Convert(err); s.Code() != codes.PermissionDenied || s.Message() != "no entry for you" {
		t.Errorf("got %v, want PermissionDenied \"no entry for you\" from the server", err)
	}
}

func grpcStream(t *testing.T, cc *grpc.ClientConn) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := cc.NewStream(ctx, sampleapp.EchoStreamDesc, sampleapp.EchoStreamMethod)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	sent := make(chan []byte, n)
	errc := make(chan error, 1)
	go func() { // send while receiving: a real bidirectional stream
		defer close(sent)
		for i := range n {
			msg := randomBytes(i * 997 % (300 << 10))
			if err := s.SendMsg(wrapperspb.Bytes(msg)); err != nil {
				errc <- err
				return
			}
			sent <- msg
		}
		errc <- s.CloseSend()
	}()
	got := 0
	for want := range sent {
		out := new(wrapperspb.BytesValue)
		if err := s.RecvMsg(out); err != nil {
			t.Fatalf("message %d: %v", got, err)
		}
		if !bytes.Equal(out.Value, want) {
			t.Fatalf("message %d differs (%d bytes, want %d)", got, len(out.Value), len(want))
		}
		got++
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err := s.RecvMsg(new(wrapperspb.BytesValue)); !errors.Is(err, io.EOF) {
		t.Fatalf("end of stream: %v", err)
	}
	if tr := s.Trailer().Get(sampleapp.EchoTrailerKey); len(tr) != 1 || tr[0] != "200" || got != n {
		t.Errorf("%d messages echoed, trailer %q; want %d and \"200\"", got, tr, n)
	}
}

func tcpEcho(t *testing.T, addr string) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	payload := randomBytes(4 << 20)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(c)
	if werr := <-errc; werr != nil {
		t.Fatalf("writing: %v", werr)
	}
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("echoed %d bytes (%v), want the %d sent, unchanged, then EOF after our half-close", len(got), err, len(payload))
	}
}
