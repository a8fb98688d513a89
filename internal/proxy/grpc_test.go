package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
)

// echoService is a gRPC test service: unary and bidi streaming echo, with a
// trailer on every call.
type echoService struct {
	testgrpc.UnimplementedTestServiceServer
}

func (echoService) UnaryCall(ctx context.Context, req *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	grpc.SetTrailer(ctx, metadata.Pairs("x-echo-trailer", "unary"))
	if req.GetResponseStatus().GetCode() != 0 {
		return nil, status.Error(codes.Code(req.GetResponseStatus().GetCode()), req.GetResponseStatus().GetMessage())
	}
	return &testgrpc.SimpleResponse{Payload: req.GetPayload()}, nil
}

func (echoService) FullDuplexCall(stream testgrpc.TestService_FullDuplexCallServer) error {
	stream.SetTrailer(metadata.Pairs("x-echo-trailer", "stream"))
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&testgrpc.StreamingOutputCallResponse{Payload: req.GetPayload()}); err != nil {
			return err
		}
	}
}

func startGRPC(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	testgrpc.RegisterTestServiceServer(s, echoService{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Stop()
		<-done
	})
	return ln.Addr().String()
}

// twoHops starts a server sidecar (inbound listener → app, protocol of the
// downstream) and a client sidecar (outbound listener → the server
// sidecar over proto), and returns the client sidecar's address.
func twoHops(t *testing.T, app string, proto cluster.Protocol) (string, *testProxy, *testProxy) {
	server := startProxy(t, time.Second)
	in := httpListener("inbound_9080", 0, routes(to("inbound|9080||")))
	in.Direction = listener.Inbound
	in.Workload = listener.WorkloadInfo{Address: loopback, Workload: "echo-v1", Namespace: "default", App: "echo", Version: "v1", Service: "echo.default.svc.cluster.local"}
	server.apply(snap([]*listener.Config{in}, []*cluster.Config{staticCluster("inbound|9080||", cluster.UseDownstream, app)}))
	client := startProxy(t, time.Second)
	out := httpListener("outbound_9080", 0, routes(to("outbound|9080||echo")))
	client.apply(snap([]*listener.Config{out}, []*cluster.Config{staticCluster("outbound|9080||echo", proto, server.addr("inbound_9080"))}))
	return client.addr("outbound_9080"), client, server
}

func dialGRPC(t *testing.T, addr string) testgrpc.TestServiceClient {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return testgrpc.NewTestServiceClient(cc)
}

func TestGRPCThroughTwoProxies(t *testing.T) {
	addr, _, server := twoHops(t, startGRPC(t), cluster.HTTP2)
	client := dialGRPC(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	t.Run("unary", func(t *testing.T) {
		var trailer metadata.MD
		resp, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{Payload: &testgrpc.Payload{Body: []byte("ping")}}, grpc.Trailer(&trailer))
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.GetPayload().GetBody()) != "ping" || trailer.Get("x-echo-trailer")[0] != "unary" {
			t.Errorf("got %q, trailer %v", resp.GetPayload().GetBody(), trailer)
		}
	})
	t.Run("error status passes through", func(t *testing.T) {
		_, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{ResponseStatus: &testgrpc.EchoStatus{Code: int32(codes.NotFound), Message: "no such thing"}})
		if s, _ := status.FromError(err); s.Code() != codes.NotFound || s.Message() != "no such thing" {
			t.Errorf("status %v, want NotFound: no such thing", s)
		}
	})
	t.Run("bidi streaming", func(t *testing.T) {
		stream, err := client.FullDuplexCall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ { // lock-step: each message must arrive before the next is sent
			msg := fmt.Sprintf("msg-%d", i)
			if err := stream.Send(&testgrpc.StreamingOutputCallRequest{Payload: &testgrpc.Payload{Body: []byte(msg)}}); err != nil {
				t.Fatal(err)
			}
			resp, err := stream.Recv()
			if err != nil || string(resp.GetPayload().GetBody()) != msg {
				t.Fatalf("message %d: %v %q", i, err, resp.GetPayload().GetBody())
			}
		}
		stream.CloseSend()
		if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
			t.Errorf("end of stream: %v, want EOF", err)
		}
		if tr := stream.Trailer().Get("x-echo-trailer"); len(tr) != 1 || tr[0] != "stream" {
			t.Errorf("trailer %v", stream.Trailer())
		}
	})
	_ = server
}

func TestGRPCLocalReplyStatus(t *testing.T) {
	p := startProxy(t, time.Second)
	p.apply(snap([]*listener.Config{httpListener("out", 0, routes(to("missing")))}, nil))
	client := dialGRPC(t, p.addr("out"))
	_, err := client.UnaryCall(context.Background(), &testgrpc.SimpleRequest{})
	if s, _ := status.FromError(err); s.Code() != codes.Unavailable || s.Message() != "cluster not found" {
		t.Errorf("status %v, want Unavailable: cluster not found", s)
	}
}

func TestH2CThroughTwoProxies(t *testing.T) {
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	app := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
	}), func(s *http.Server) { s.Protocols = &protos })
	addr, _, _ := twoHops(t, app.addr, cluster.HTTP2)
	tr := &http.Transport{Protocols: &protos}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	code, body, _ := get(t, c, "http://"+addr+"/h2c")
	if code != 200 || body != "HTTP/2.0 /h2c" {
		t.Errorf("got %d %q, want 200 from the app over HTTP/2", code, body)
	}
	// An HTTP/1.1 client of the same HTTP/2 cluster is translated.
	code, body, _ = get(t, newClient(t), "http://"+addr+"/h1")
	if code != 200 || body != "HTTP/2.0 /h1" {
		t.Errorf("HTTP/1.1 client: got %d %q, want 200 from the app over HTTP/2", code, body)
	}
}
