package route

import (
	"time"

	"strconv"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	previoushostsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/retry/host/previous_hosts/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// PreviousHostsPredicate is the only retry host predicate the proxy accepts.
const PreviousHostsPredicate = "envoy.retry_host_predicates.previous_hosts"

// retryOnNames are Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on values.
var retryOnNames = map[string]RetryOn{
	"5xx":                    Retry5xx,
	"gateway-error":          RetryGatewayError,
	"reset":                  RetryReset,
	"connect-failure":        RetryConnectFailure,
	"retriable-4xx":          RetryRetriable4xx,
	"refused-stream":         RetryRefusedStream,
	"retriable-status-codes": RetryRetriableStatusCodes,
	"cancelled":              RetryCancelled,
	"deadline-exceeded":      RetryDeadlineExceeded,
	"resource-exhausted":     RetryResourceExhausted,
	"unavailable":            RetryUnavailable,
	"internal":               RetryInternal,
}

func decodeRetry(rp *routev3.RetryPolicy) (*RetryPolicy, error) {
	if err := xdsdecode.OnlyFields(rp, "retry_on", "num_retries", "per_try_timeout", "retriable_status_codes",
		"retry_host_predicate", "host_selection_retry_max_attempts", "retry_back_off"); err != nil {
		return nil, err
	}
	out := &RetryPolicy{
		NumRetries:               DefaultNumRetries,
		RetriableStatusCodes:     rp.GetRetriableStatusCodes(),
		HostSelectionMaxAttempts: rp.GetHostSelectionRetryMaxAttempts(),
	}
	var err error
	if out.On, err = parseRetryOn(rp.GetRetryOn()); err != nil {
		return nil, err
	}
	if n := rp.GetNumRetries(); n != nil {
		out.NumRetries = n.GetValue()
	}
	if out.PerTryTimeout, err = xdsdecode.Duration(rp.GetPerTryTimeout(), 0, "per_try_timeout"); err != nil {
		return nil, err
	}
	if out.OtherHosts, err = decodeHostPredicates(rp.GetRetryHostPredicate()); err != nil {
		return nil, err
	}
	if out.BackoffBase, out.BackoffMax, err = decodeBackoff(rp.GetRetryBackOff()); err != nil {
		return nil, xdsdecode.At(err, "retry_back_off")
	}
	return out, nil
}

// parseRetryOn parses Envoy's comma-separated retry_on list.
func parseRetryOn(s string) (RetryOn, error) {
	var on RetryOn
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		bit, ok := retryOnNames[name]
		if !ok {
			return 0, xdsdecode.Errorf("retry_on", "%q: unknown or unsupported retry condition", name)
		}
		on |= bit
	}
	return on, nil
}

func decodeHostPredicates(preds []*routev3.RetryPolicy_RetryHostPredicate) (bool, error) {
	for i, p := range preds {
		path := xdsdecode.Index("retry_host_predicate", i)
		if err := xdsdecode.OnlyFields(p, "name", "typed_config"); err != nil {
			return false, xdsdecode.At(err, path)
		}
		if p.GetTypedConfig() == nil {
			if p.GetName() != PreviousHostsPredicate {
				return false, xdsdecode.Errorf(path, "unsupported retry host predicate %q", p.GetName())
			}
			continue
		}
		var cfg previoushostsv3.PreviousHostsPredicate
		if err := xdsdecode.Unpack(p.GetTypedConfig(), &cfg); err != nil {
			return false, xdsdecode.At(xdsdecode.Errorf("", "unsupported retry host predicate %q: %v", p.GetName(), err), path)
		}
	}
	return len(preds) > 0, nil
}

func decodeBackoff(b *routev3.RetryPolicy_RetryBackOff) (base, maxInterval time.Duration, err error) {
	if err := xdsdecode.OnlyFields(b, "base_interval", "max_interval"); err != nil {
		return 0, 0, err
	}
	if base, err = xdsdecode.Duration(b.GetBaseInterval(), DefaultBackoffBase, "base_interval"); err != nil {
		return 0, 0, err
	}
	if maxInterval, err = xdsdecode.Duration(b.GetMaxInterval(), DefaultBackoffMaxRatio*base, "max_interval"); err != nil {
		return 0, 0, err
	}
	if maxInterval < base {
		return 0, 0, xdsdecode.Errorf("max_interval", "%v: must not be less than base_interval %v", maxInterval, base)
	}
	return base, maxInterval, nil
}

// envoySubstitution turns an RE2 rewrite substitution (`\1`, `\\`) into Go's
// regexp.Expand syntax (`${1}`, with `$` escaped as `$$`).
func envoySubstitution(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${" + strconv.Itoa(int(s[i+1]-'0')) + "}")
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
