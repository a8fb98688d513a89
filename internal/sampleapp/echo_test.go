package sampleapp

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestHTTPEchoConnectionClose(t *testing.T) {
	addr := startApp(t, Config{Kind: KindHTTPEcho, Name: "echo", Version: "v1", ConnectionClose: true})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/x?status=503")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !resp.Close {
		t.Errorf("status %d close %v, want 503 and Connection: close", resp.StatusCode, resp.Close)
	}
}

func dialEcho(t *testing.T) *grpc.ClientConn {
	t.Helper()
	addr := startApp(t, Config{Kind: KindGRPCEcho, Name: "grpc-echo", Version: "v1"})
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func TestGRPCEchoUnary(t *testing.T) {
	cc := dialEcho(t)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-echo-a", "1")
	var hdr, trl metadata.MD
	out := new(wrapperspb.BytesValue)
	err := cc.Invoke(ctx, EchoUnaryMethod, wrapperspb.Bytes([]byte("hi")), out, grpc.Header(&hdr), grpc.Trailer(&trl))
	if err != nil || string(out.Value) != "hi" {
		t.Fatalf("got %q, %v", out.Value, err)
	}
	if hdr.Get("x-echo-a")[0] != "1" || trl.Get(EchoTrailerKey)[0] != "1" {
		t.Errorf("header %v trailer %v", hdr, trl)
	}
	err = cc.Invoke(ctx, EchoUnaryMethod, wrapperspb.Bytes([]byte("status:5:not here")), out)
	if s := status.Convert(err); s.Code() != codes.NotFound || s.Message() != "not here" {
		t.Errorf("got %v, want NotFound not here", err)
	}
}

func TestGRPCEchoStream(t *testing.T) {
	cc := dialEcho(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := cc.NewStream(ctx, EchoStreamDesc, EchoStreamMethod)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg := []byte{byte(i)}
		if err := s.SendMsg(wrapperspb.Bytes(msg)); err != nil {
			t.Fatal(err)
		}
		out := new(wrapperspb.BytesValue)
		if err := s.RecvMsg(out); err != nil || !bytes.Equal(out.Value, msg) {
			t.Fatalf("message %d: %v %v", i, out.Value, err)
		}
	}
	if err := s.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := s.RecvMsg(new(wrapperspb.BytesValue)); !errors.Is(err, io.EOF) {
		t.Fatalf("end of stream: %v", err)
	}
	if got := s.Trailer().Get(EchoTrailerKey); len(got) != 1 || got[0] != "3" {
		t.Errorf("trailer %v, want 3", got)
	}
}

func TestTCPEcho(t *testing.T) {
	addr := startApp(t, Config{Kind: KindTCPEcho, Name: "tcp-echo", Version: "v1"})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := make([]byte, 1<<20)
	rand.Read(payload)
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		wrote <- err
	}()
	got, err := io.ReadAll(c)
	if werr := <-wrote; werr != nil {
		t.Fatal(werr)
	}
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("echoed %d bytes (err %v), want the %d sent", len(got), err, len(payload))
	}
}
