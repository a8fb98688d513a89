package xds

import (
	"math"
	"strconv"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	faultcommonv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/common/fault/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	previoushostsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/retry/host/previous_hosts/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"istio.io/api/networking/v1alpha3"
)

// Istio's default retry policy, applied to every route without `retries`.
const (
	defaultRetryOn           = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
	defaultRetries           = 2
	defaultRetryStatus       = 503
	hostSelectionMaxAttempts = 5
	previousHostsPredicate   = "envoy.retry_host_predicates.previous_hosts"
	faultFilterName          = "envoy.filters.http.fault"
)

// supportedRetryOn reports whether Loom's proxy implements a retry_on condition.
func supportedRetryOn(cond string) bool {
	switch cond {
	case "5xx", "gateway-error", "reset", "connect-failure", "retriable-4xx", "refused-stream",
		"retriable-status-codes", "cancelled", "deadline-exceeded", "resource-exhausted", "unavailable", "internal":
		return true
	}
	return false
}

func defaultRetryPolicy() *routev3.RetryPolicy {
	return &routev3.RetryPolicy{
		RetryOn:                       defaultRetryOn,
		NumRetries:                    uint32Value(defaultRetries),
		RetriableStatusCodes:          []uint32{defaultRetryStatus},
		RetryHostPredicate:            []*routev3.RetryPolicy_RetryHostPredicate{previousHosts()},
		HostSelectionRetryMaxAttempts: hostSelectionMaxAttempts,
	}
}

func previousHosts() *routev3.RetryPolicy_RetryHostPredicate {
	return &routev3.RetryPolicy_RetryHostPredicate{
		Name:       previousHostsPredicate,
		ConfigType: &routev3.RetryPolicy_RetryHostPredicate_TypedConfig{TypedConfig: mustAny(&previoushostsv3.PreviousHostsPredicate{})},
	}
}

// retryPolicy translates `retries` as Istio does: absent is the default
// policy; attempts 0 disables retries; retryOn lists conditions and HTTP
// status codes (which imply retriable-status-codes).
func retryPolicy(in *v1alpha3.HTTPRetry) *routev3.RetryPolicy {
	if in == nil {
		return defaultRetryPolicy()
	}
	if in.GetAttempts() <= 0 {
		return nil
	}
	out := defaultRetryPolicy()
	out.NumRetries = uint32Value(uint32(in.GetAttempts()))
	if in.GetRetryOn() != "" {
		out.RetryOn, out.RetriableStatusCodes = parseRetryOn(in.GetRetryOn())
	}
	if in.GetPerTryTimeout() != nil {
		out.PerTryTimeout = durationpb.New(in.GetPerTryTimeout().AsDuration())
	}
	if in.GetRetryIgnorePreviousHosts() != nil && !in.GetRetryIgnorePreviousHosts().GetValue() {
		out.RetryHostPredicate = nil
		out.HostSelectionRetryMaxAttempts = 0
	}
	if in.GetBackoff() != nil {
		out.RetryBackOff = &routev3.RetryPolicy_RetryBackOff{BaseInterval: durationpb.New(in.GetBackoff().AsDuration())}
	}
	return out
}

// parseRetryOn splits `5xx,connect-failure,503` into conditions and status
// codes. Conditions the proxy does not implement are left out (Unsupported
// reports them).
func parseRetryOn(s string) (string, []uint32) {
	var on []string
	var codes []uint32
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if code, err := strconv.ParseUint(tok, 10, 32); err == nil {
			codes = append(codes, uint32(code))
		} else if supportedRetryOn(tok) {
			on = append(on, tok)
		}
	}
	joined := strings.Join(on, ",")
	if len(codes) > 0 && !strings.Contains(joined, "retriable-status-codes") {
		joined = strings.Trim(joined+",retriable-status-codes", ",")
	}
	return joined, codes
}

// translateFault converts fault injection; nil when there is nothing to inject.
func translateFault(in *v1alpha3.HTTPFaultInjection) *faultv3.HTTPFault {
	if in == nil {
		return nil
	}
	out := &faultv3.HTTPFault{}
	if d := in.GetDelay(); d != nil && d.GetFixedDelay() != nil {
		percent := d.GetPercentage().GetValue()
		if d.GetPercentage() == nil {
			//lint:ignore SA1019 Bookinfo's samples still use the integer percent.
			percent = float64(d.GetPercent())
		}
		out.Delay = &faultcommonv3.FaultDelay{
			FaultDelaySecifier: &faultcommonv3.FaultDelay_FixedDelay{FixedDelay: durationpb.New(d.GetFixedDelay().AsDuration())},
			Percentage:         millionths(percent),
		}
	}
	if a := in.GetAbort(); a != nil {
		out.Abort = translateAbort(a)
	}
	if out.Delay == nil && out.Abort == nil {
		return nil
	}
	return out
}

func translateAbort(a *v1alpha3.HTTPFaultInjection_Abort) *faultv3.FaultAbort {
	out := &faultv3.FaultAbort{Percentage: millionths(a.GetPercentage().GetValue())}
	switch t := a.GetErrorType().(type) {
	case *v1alpha3.HTTPFaultInjection_Abort_HttpStatus:
		out.ErrorType = &faultv3.FaultAbort_HttpStatus{HttpStatus: uint32(t.HttpStatus)}
	case *v1alpha3.HTTPFaultInjection_Abort_GrpcStatus:
		code, ok := grpcCode(t.GrpcStatus)
		if !ok {
			return nil
		}
		out.ErrorType = &faultv3.FaultAbort_GrpcStatus{GrpcStatus: code}
	default:
		return nil // http2Error: see Unsupported
	}
	return out
}

// millionths converts a 0-100 percentage; Envoy and Istio count in millionths.
func millionths(percent float64) *typev3.FractionalPercent {
	n := math.Round(math.Max(0, math.Min(100, percent)) * 10000)
	return &typev3.FractionalPercent{Numerator: uint32(n), Denominator: typev3.FractionalPercent_MILLION}
}

// grpcCodeNames are the gRPC status names, by code.
const grpcCodeNames = "OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS " +
	"PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED " +
	"INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED"

// grpcCode reads a gRPC status name (`UNAVAILABLE`) or number.
func grpcCode(s string) (uint32, bool) {
	for code, name := range strings.Fields(grpcCodeNames) {
		if strings.EqualFold(s, name) {
			return uint32(code), true
		}
	}
	c, err := strconv.ParseUint(s, 10, 32)
	return uint32(c), err == nil && c <= 16
}

// addHeaderOperations appends header set/add/remove to a route.
func addHeaderOperations(r *routev3.Route, h *v1alpha3.Headers) {
	r.RequestHeadersToAdd = append(r.RequestHeadersToAdd, headerOptions(h.GetRequest())...)
	r.RequestHeadersToRemove = append(r.RequestHeadersToRemove, removable(h.GetRequest().GetRemove())...)
	r.ResponseHeadersToAdd = append(r.ResponseHeadersToAdd, headerOptions(h.GetResponse())...)
	r.ResponseHeadersToRemove = append(r.ResponseHeadersToRemove, removable(h.GetResponse().GetRemove())...)
}

func setClusterHeaders(cw *routev3.WeightedCluster_ClusterWeight, h *v1alpha3.Headers) {
	cw.RequestHeadersToAdd = headerOptions(h.GetRequest())
	cw.RequestHeadersToRemove = removable(h.GetRequest().GetRemove())
	cw.ResponseHeadersToAdd = headerOptions(h.GetResponse())
	cw.ResponseHeadersToRemove = removable(h.GetResponse().GetRemove())
}

// headerOptions renders set (replace) then add (append), each sorted by name.
// Pseudo-headers and Host cannot be set this way (Unsupported reports them).
func headerOptions(ops *v1alpha3.Headers_HeaderOperations) []*corev3.HeaderValueOption {
	var out []*corev3.HeaderValueOption
	for _, group := range []struct {
		values map[string]string
		action corev3.HeaderValueOption_HeaderAppendAction
	}{
		{ops.GetSet(), corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD},
		{ops.GetAdd(), corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD},
	} {
		for _, name := range sortedKeys(group.values) {
			if !mutableHeader(name) || strings.Contains(group.values[name], "%") {
				continue // reported by Unsupported
			}
			out = append(out, &corev3.HeaderValueOption{
				Header:       &corev3.HeaderValue{Key: strings.ToLower(name), Value: group.values[name]},
				AppendAction: group.action,
			})
		}
	}
	return out
}

func removable(names []string) []string {
	var out []string
	for _, n := range names {
		if mutableHeader(n) {
			out = append(out, strings.ToLower(n))
		}
	}
	return out
}

// mutableHeader reports whether a header may be changed by header operations:
// not pseudo-headers and host (Envoy rejects those), nor the fields a proxy
// manages per hop or from the body it relays (Loom's proxy NACKs those).
// Unsupported reports what this drops.
func mutableHeader(name string) bool {
	if name == "" || strings.HasPrefix(name, ":") {
		return false
	}
	switch strings.ToLower(name) {
	case "host", "connection", "keep-alive", "proxy-connection", "te", "upgrade",
		"proxy-authenticate", "proxy-authorization", "content-length", "transfer-encoding",
		"trailer", "expect":
		return false
	}
	return true
}
