// Package router is what every HTTP request goes through whatever its
// protocol: the route table compiled against the live clusters, the routing
// decision (virtual host, route, fault, weighted cluster), retries and their
// backoff, and the replies the proxy generates itself.
package router

import (
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// ErrorHeader names the response header that carries the reason of a reply
// the proxy generated itself (the same text as the body).
const ErrorHeader = "x-loom-error"

// LocalReply is a response the proxy makes up: a status, a reason a person
// can read (sent as the body and in ErrorHeader) and the response flag.
type LocalReply struct {
	Status int
	Reason string
	Flag   stats.ResponseFlag
	// GRPCStatus, when set, overrides the status mapped from Status for
	// gRPC requests (fault aborts with a gRPC status).
	GRPCStatus int
	GRPCSet    bool
}

// The proxy's own replies, with Envoy's status codes and response flags.
var (
	ReplyNoRoute       = LocalReply{Status: 404, Reason: "route not found", Flag: stats.FlagNoRoute}
	ReplyNoCluster     = LocalReply{Status: 503, Reason: "cluster not found", Flag: stats.FlagNoCluster}
	ReplyNoHealthy     = LocalReply{Status: 503, Reason: "no healthy upstream", Flag: stats.FlagNoHealthyUpstream}
	ReplyConnectFail   = LocalReply{Status: 503, Reason: "upstream connect error", Flag: stats.FlagUpstreamConnectFail}
	ReplyReset         = LocalReply{Status: 503, Reason: "upstream reset before response", Flag: stats.FlagUpstreamReset}
	ReplyTimeout       = LocalReply{Status: 504, Reason: "upstream request timeout", Flag: stats.FlagUpstreamTimeout}
	ReplyOverflow      = LocalReply{Status: 503, Reason: "upstream overflow", Flag: stats.FlagUpstreamOverflow}
	ReplyProtocolError = LocalReply{Status: 502, Reason: "upstream protocol error", Flag: stats.FlagUpstreamProtocolError}
	ReplyDraining      = LocalReply{Status: 503, Reason: "proxy draining", Flag: stats.FlagLocalReset}
	// The HTTP connection manager's stream timeouts (stream_idle_timeout,
	// request_timeout), answered as Envoy does when no response started.
	ReplyStreamIdleTimeout = LocalReply{Status: 408, Reason: "stream timeout", Flag: stats.FlagStreamIdleTimeout}
	ReplyRequestTimeout    = LocalReply{Status: 408, Reason: "request timeout"}
)

// FaultAbort is the reply of an injected abort.
func FaultAbort(status int, grpcStatus int, grpcSet bool) LocalReply {
	if status == 0 {
		status = 200 // a gRPC-only abort: the status travels in grpc-status
	}
	return LocalReply{Status: status, Reason: "fault filter abort", Flag: stats.FlagFaultAbort, GRPCStatus: grpcStatus, GRPCSet: grpcSet}
}

// GRPC returns the gRPC status for the reply to a gRPC request: its own when
// set, else the mapping Envoy uses from HTTP statuses.
func (r LocalReply) GRPC() int {
	if r.GRPCSet {
		return r.GRPCStatus
	}
	return GRPCFromHTTP(r.Status)
}

// gRPC status codes the proxy uses.
const (
	GRPCOK              = 0
	GRPCCancelled       = 1
	GRPCUnknown         = 2
	GRPCDeadline        = 4
	GRPCPermission      = 7
	GRPCResourceExhaust = 8
	GRPCUnimplemented   = 12
	GRPCInternal        = 13
	GRPCUnavailable     = 14
	GRPCUnauthenticated = 16
)

// GRPCFromHTTP maps an HTTP status to a gRPC status as gRPC's spec does for
// responses without grpc-status.
func GRPCFromHTTP(status int) int {
	switch status {
	case 200:
		return GRPCOK
	case 400:
		return GRPCInternal
	case 401:
		return GRPCUnauthenticated
	case 403:
		return GRPCPermission
	case 404:
		return GRPCUnimplemented
	case 429, 502, 503, 504:
		return GRPCUnavailable
	}
	return GRPCUnknown
}

// IsGRPC reports whether a content-type is gRPC's.
func IsGRPC(contentType string) bool {
	const prefix = "application/grpc"
	if len(contentType) < len(prefix) || contentType[:len(prefix)] != prefix {
		return false
	}
	return len(contentType) == len(prefix) || contentType[len(prefix)] == '+' || contentType[len(prefix)] == ';'
}
