package sampleapp

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The loom.sample.Echo gRPC service, declared by hand (no generated code):
//
//	rpc Unary(BytesValue) returns (BytesValue);
//	rpc Stream(stream BytesValue) returns (stream BytesValue);
//
// Both echo every message. Request metadata keys starting with "x-echo-" come
// back as response header metadata, and every call ends with the trailer
// "x-echo-trailer: <messages seen>". A Unary message "status:<code>:<text>"
// fails the call with that gRPC code and text.
const (
	EchoService      = "loom.sample.Echo"
	EchoUnaryMethod  = "/" + EchoService + "/Unary"
	EchoStreamMethod = "/" + EchoService + "/Stream"
	EchoTrailerKey   = "x-echo-trailer"
)

// echoServer implements loom.sample.Echo.
type echoServer struct{}

// echoServiceDesc describes loom.sample.Echo for grpc.Server.RegisterService.
var echoServiceDesc = grpc.ServiceDesc{
	ServiceName: EchoService,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Unary",
		Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.BytesValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			return srv.(*echoServer).unary(ctx, in)
		},
	}},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Stream",
		ServerStreams: true,
		ClientStreams: true,
		Handler: func(srv any, stream grpc.ServerStream) error {
			return srv.(*echoServer).stream(stream)
		},
	}},
}

// EchoStreamDesc is the client-side description of the Stream method.
var EchoStreamDesc = &grpc.StreamDesc{StreamName: "Stream", ServerStreams: true, ClientStreams: true}

func (s *echoServer) unary(ctx context.Context, in *wrapperspb.BytesValue) (*wrapperspb.BytesValue, error) {
	if err := grpc.SetHeader(ctx, echoHeaders(ctx)); err != nil {
		return nil, err
	}
	if err := grpc.SetTrailer(ctx, metadata.Pairs(EchoTrailerKey, "1")); err != nil {
		return nil, err
	}
	if msg, ok := strings.CutPrefix(string(in.Value), "status:"); ok {
		return nil, statusFromText(msg)
	}
	return in, nil
}

func (s *echoServer) stream(stream grpc.ServerStream) error {
	if err := stream.SendHeader(echoHeaders(stream.Context())); err != nil {
		return err
	}
	n := 0
	defer func() { stream.SetTrailer(metadata.Pairs(EchoTrailerKey, strconv.Itoa(n))) }()
	for {
		in := new(wrapperspb.BytesValue)
		err := stream.RecvMsg(in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		n++
		if err := stream.SendMsg(in); err != nil {
			return err
		}
	}
}

func echoHeaders(ctx context.Context) metadata.MD {
	out := metadata.MD{}
	in, _ := metadata.FromIncomingContext(ctx)
	for k, v := range in {
		if strings.HasPrefix(k, "x-echo-") {
			out[k] = v
		}
	}
	return out
}

// statusFromText turns "5:not here" into codes.NotFound "not here".
func statusFromText(s string) error {
	codeText, msg, _ := strings.Cut(s, ":")
	code, err := strconv.Atoi(codeText)
	if err != nil || code <= 0 || code > 16 {
		return status.Errorf(codes.InvalidArgument, "status:%s: want status:<code 1..16>:<message>", s)
	}
	return status.Error(codes.Code(code), msg)
}

func newGRPCEchoServer() *grpc.Server {
	srv := grpc.NewServer()
	srv.RegisterService(&echoServiceDesc, &echoServer{})
	return srv
}
