package router

import (
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/route"
)

func TestRetryConditions(t *testing.T) {
	istioDefault := &route.RetryPolicy{
		On:         route.RetryConnectFailure | route.RetryRefusedStream | route.RetryUnavailable | route.RetryCancelled | route.RetryRetriableStatusCodes,
		NumRetries: 2, RetriableStatusCodes: []uint32{503},
	}
	tests := []struct {
		name    string
		policy  *route.RetryPolicy
		failure Failure // FailNone: a response with status/grpc
		status  int
		grpc    int
		want    bool
	}{
		{"no policy", nil, FailConnect, 0, -1, false},
		{"istio: connect failure", istioDefault, FailConnect, 0, -1, true},
		{"istio: refused stream", istioDefault, FailRefusedStream, 0, -1, true},
		{"istio: reset is not retried", istioDefault, FailReset, 0, -1, false},
		{"istio: 503", istioDefault, FailNone, 503, -1, true},
		{"istio: 502 is not", istioDefault, FailNone, 502, -1, false},
		{"istio: grpc unavailable", istioDefault, FailNone, 200, GRPCUnavailable, true},
		{"istio: grpc cancelled", istioDefault, FailNone, 200, GRPCCancelled, true},
		{"istio: grpc internal is not", istioDefault, FailNone, 200, GRPCInternal, false},
		{"istio: timeout is not", istioDefault, FailPerTryTimeout, 0, -1, false},
		{"5xx: any 5xx", &route.RetryPolicy{On: route.Retry5xx, NumRetries: 1}, FailNone, 500, -1, true},
		{"5xx: reset", &route.RetryPolicy{On: route.Retry5xx, NumRetries: 1}, FailReset, 0, -1, true},
		{"5xx: per-try timeout", &route.RetryPolicy{On: route.Retry5xx, NumRetries: 1}, FailPerTryTimeout, 0, -1, true},
		{"5xx: not 4xx", &route.RetryPolicy{On: route.Retry5xx, NumRetries: 1}, FailNone, 404, -1, false},
		{"gateway-error: 504", &route.RetryPolicy{On: route.RetryGatewayError, NumRetries: 1}, FailNone, 504, -1, true},
		{"gateway-error: not 500", &route.RetryPolicy{On: route.RetryGatewayError, NumRetries: 1}, FailNone, 500, -1, false},
		{"retriable-4xx: 409", &route.RetryPolicy{On: route.RetryRetriable4xx, NumRetries: 1}, FailNone, 409, -1, true},
		{"reset: reset", &route.RetryPolicy{On: route.RetryReset, NumRetries: 1}, FailReset, 0, -1, true},
		{"reset: connect failure", &route.RetryPolicy{On: route.RetryReset, NumRetries: 1}, FailConnect, 0, -1, true},
		{"reset: refused stream", &route.RetryPolicy{On: route.RetryReset, NumRetries: 1}, FailRefusedStream, 0, -1, true},
		{"reset: protocol error", &route.RetryPolicy{On: route.RetryReset, NumRetries: 1}, FailProtocol, 0, -1, true},
		{"gateway-error: reset", &route.RetryPolicy{On: route.RetryGatewayError, NumRetries: 1}, FailReset, 0, -1, true},
		{"gateway-error: refused stream", &route.RetryPolicy{On: route.RetryGatewayError, NumRetries: 1}, FailRefusedStream, 0, -1, true},
		{"connect-failure: not a reset", &route.RetryPolicy{On: route.RetryConnectFailure, NumRetries: 1}, FailReset, 0, -1, false},
		{"refused-stream: not a connect failure", &route.RetryPolicy{On: route.RetryRefusedStream, NumRetries: 1}, FailConnect, 0, -1, false},
		{"never an overflow", &route.RetryPolicy{On: route.Retry5xx | route.RetryReset, NumRetries: 1}, FailOverflow, 0, -1, false},
		{"never the overall timeout", &route.RetryPolicy{On: route.Retry5xx | route.RetryReset, NumRetries: 1}, FailTimeout, 0, -1, false},
		{"never a client that left", &route.RetryPolicy{On: route.Retry5xx | route.RetryReset, NumRetries: 1}, FailDownstream, 0, -1, false},
		{"zero retries", &route.RetryPolicy{On: route.Retry5xx}, FailNone, 503, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRetrier(tt.policy)
			r.Init()
			var got bool
			if tt.failure == FailNone {
				got = r.RetryResponse(tt.status, tt.grpc)
			} else {
				got = r.RetryFailure(tt.failure)
			}
			if got != tt.want {
				t.Errorf("retry = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetryBudgetAndBackoff(t *testing.T) {
	r := NewRetrier(&route.RetryPolicy{On: route.Retry5xx, NumRetries: 3, BackoffBase: 10 * time.Millisecond, BackoffMax: 25 * time.Millisecond})
	r.Init()
	ceilings := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 25 * time.Millisecond}
	for i, ceil := range ceilings {
		if !r.RetryResponse(503, -1) {
			t.Fatalf("retry %d refused", i+1)
		}
		for k := 0; k < 50; k++ {
			if d := r.Backoff(); d < 0 || d > ceil {
				t.Fatalf("retry %d: backoff %v outside [0, %v]", i+1, d, ceil)
			}
		}
	}
	if r.RetryResponse(503, -1) {
		t.Error("a fourth retry was allowed with num_retries 3")
	}
	if r.Retries() != 3 {
		t.Errorf("Retries() = %d, want 3", r.Retries())
	}
}

func TestGRPCFromHTTP(t *testing.T) {
	for status, want := range map[int]int{200: 0, 400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14, 500: 2} {
		if got := GRPCFromHTTP(status); got != want {
			t.Errorf("GRPCFromHTTP(%d) = %d, want %d", status, got, want)
		}
	}
	for ct, want := range map[string]bool{"application/grpc": true, "application/grpc+proto": true, "application/grpc;x": true, "application/grpcx": false, "text/plain": false} {
		if IsGRPC(ct) != want {
			t.Errorf("IsGRPC(%q) = %v", ct, !want)
		}
	}
}
