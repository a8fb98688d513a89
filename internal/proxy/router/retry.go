package router

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// Envoy's retry backoff defaults.
const (
	defaultBackoffBase = 25 * time.Millisecond
	defaultBackoffMax  = 250 * time.Millisecond
)

// Failure says how an attempt ended without a response head.
type Failure uint8

// Failures.
const (
	FailNone          Failure = iota
	FailConnect               // no connection could be opened
	FailReset                 // the connection closed or reset before a response head
	FailRefusedStream         // HTTP/2 REFUSED_STREAM: the request was not processed
	FailPerTryTimeout         // no response head within the per-try timeout
	FailOverflow              // circuit breaker or pool limits
	FailNoHost                // no healthy upstream
	FailProtocol              // the upstream broke the protocol
	FailDownstream            // the client went away (never retried)
	FailTimeout               // the route's overall timeout (never retried)
)

// Reply is the local reply for a failure that ends the request.
func (f Failure) Reply() LocalReply {
	switch f {
	case FailConnect:
		return ReplyConnectFail
	case FailPerTryTimeout, FailTimeout:
		return ReplyTimeout
	case FailOverflow:
		return ReplyOverflow
	case FailNoHost:
		return ReplyNoHealthy
	case FailProtocol:
		return ReplyProtocolError
	}
	return ReplyReset
}

// Retrier tracks one request's retries under a route's RetryPolicy.
type Retrier struct {
	policy  *route.RetryPolicy
	left    uint32
	retries int
	tried   []*upstream.Host
	triedA  [4]*upstream.Host
}

// NewRetrier starts the retry state for a request (policy may be nil).
func NewRetrier(policy *route.RetryPolicy) Retrier {
	r := Retrier{policy: policy}
	if policy != nil {
		r.left = policy.NumRetries
	}
	return r
}

// Init must be called on a Retrier stored by value before use.
func (r *Retrier) Init() { r.tried = r.triedA[:0] }

// Tried records a host an attempt went to.
func (r *Retrier) Tried(h *upstream.Host) {
	if !slices.Contains(r.tried, h) {
		r.tried = append(r.tried, h)
	}
}

// Exclude is the hosts to avoid on the next attempt (previous_hosts).
func (r *Retrier) Exclude() []*upstream.Host {
	if r.policy == nil || !r.policy.OtherHosts {
		return nil
	}
	return r.tried
}

// Retries is the number of retries made so far.
func (r *Retrier) Retries() int { return r.retries }

// RetryFailure reports whether a failed attempt should be retried, and
// consumes a retry if so.
func (r *Retrier) RetryFailure(f Failure) bool {
	if r.policy == nil || r.left == 0 {
		return false
	}
	// As Envoy: reset, 5xx and gateway-error retry any failure to get a
	// response head (connect failures, refused streams and protocol errors
	// are resets too); connect-failure and refused-stream only their own.
	on := r.policy.On
	anyReset := route.RetryReset | route.Retry5xx | route.RetryGatewayError
	var ok bool
	switch f {
	case FailConnect:
		ok = on&(anyReset|route.RetryConnectFailure) != 0
	case FailRefusedStream:
		ok = on&(anyReset|route.RetryRefusedStream) != 0
	case FailReset, FailProtocol, FailPerTryTimeout:
		ok = on&anyReset != 0
	}
	return ok && r.take()
}

// RetryResponse reports whether a response head (status, and grpc-status
// when the head carried one, else -1) should be retried, consuming a retry.
func (r *Retrier) RetryResponse(status, grpcStatus int) bool {
	if r.policy == nil || r.left == 0 {
		return false
	}
	return r.retriable(status, grpcStatus) && r.take()
}

func (r *Retrier) retriable(status, grpcStatus int) bool {
	on := r.policy.On
	switch {
	case on&route.Retry5xx != 0 && status >= 500:
		return true
	case on&route.RetryGatewayError != 0 && (status == 502 || status == 503 || status == 504):
		return true
	case on&route.RetryRetriable4xx != 0 && status == 409:
		return true
	case on&route.RetryRetriableStatusCodes != 0 && slices.Contains(r.policy.RetriableStatusCodes, uint32(status)):
		return true
	}
	switch grpcStatus {
	case GRPCCancelled:
		return on&route.RetryCancelled != 0
	case GRPCDeadline:
		return on&route.RetryDeadlineExceeded != 0
	case GRPCResourceExhaust:
		return on&route.RetryResourceExhausted != 0
	case GRPCUnavailable:
		return on&route.RetryUnavailable != 0
	case GRPCInternal:
		return on&route.RetryInternal != 0
	}
	return false
}

func (r *Retrier) take() bool {
	r.left--
	r.retries++
	return true
}

// Backoff is the wait before the next retry: Envoy's fully jittered
// exponential backoff, random in [0, min(max, base*2^(retries-1))).
func (r *Retrier) Backoff() time.Duration {
	base, max := defaultBackoffBase, defaultBackoffMax
	if r.policy != nil && r.policy.BackoffBase > 0 {
		base = r.policy.BackoffBase
		max = 10 * base
	}
	if r.policy != nil && r.policy.BackoffMax > 0 {
		max = r.policy.BackoffMax
	}
	ceil := base << min(r.retries-1, 16)
	if ceil > max || ceil <= 0 {
		ceil = max
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// PerTryTimeout is the policy's per-try timeout (0: none).
func (r *Retrier) PerTryTimeout() time.Duration {
	if r.policy == nil {
		return 0
	}
	return r.policy.PerTryTimeout
}
