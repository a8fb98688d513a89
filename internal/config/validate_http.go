package config

import (
	"net/http"
	"strconv"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) httpRoute(path string, r *networking.HTTPRoute) {
	f.httpRouteActions(path, r)
	for j, m := range r.GetMatch() {
		f.httpMatch(index(dot(path, "match"), j), m)
	}
	f.headerOperations(dot(path, "headers"), r.GetHeaders())
	f.authorityOnce(path, r)
	f.httpRouteDestinations(dot(path, "route"), r.GetRoute())
	f.redirect(dot(path, "redirect"), r.GetRedirect())
	f.directResponse(dot(path, "directResponse"), r.GetDirectResponse())
	f.rewrite(dot(path, "rewrite"), r.GetRewrite())
	f.retries(dot(path, "retries"), r.GetRetries())
	f.fault(dot(path, "fault"), r.GetFault())
	f.mirrors(path, r)
	f.corsPolicy(dot(path, "corsPolicy"), r.GetCorsPolicy())
	if t := r.GetTimeout(); t != nil {
		f.check(dot(path, "timeout"), validateDuration(t.AsDuration()))
	}
}

// httpRouteActions checks that a route does one thing: route, redirect or answer directly.
func (f *findings) httpRouteActions(path string, r *networking.HTTPRoute) {
	hasRoute := len(r.GetRoute()) > 0
	switch {
	case r.GetDelegate() != nil:
		f.errorf(dot(path, "delegate"), "delegating to another VirtualService is not supported by Loom yet")
	case r.GetRedirect() != nil:
		if hasRoute {
			f.errorf(dot(path, "redirect"), "a route cannot have both route and redirect")
		}
		if r.GetFault() != nil {
			f.errorf(dot(path, "redirect"), "a route cannot have both fault and redirect")
		}
		if r.GetRewrite() != nil {
			f.errorf(dot(path, "rewrite"), "a route cannot have both rewrite and redirect")
		}
		if r.GetDirectResponse() != nil {
			f.errorf(dot(path, "directResponse"), "a route cannot have both redirect and directResponse")
		}
	case r.GetDirectResponse() != nil:
		if hasRoute {
			f.errorf(dot(path, "directResponse"), "a route cannot have both route and directResponse")
		}
		if r.GetRewrite() != nil {
			f.errorf(dot(path, "rewrite"), "a route cannot have both rewrite and directResponse")
		}
	case !hasRoute:
		f.errorf(path, "one of route, redirect or directResponse is required")
	}
}

// authorityOnce reports an authority rewritten in more than one place.
func (f *findings) authorityOnce(path string, r *networking.HTTPRoute) {
	count := 0
	if r.GetRewrite().GetAuthority() != "" {
		count++
	}
	req := r.GetHeaders().GetRequest()
	for _, m := range []map[string]string{req.GetSet(), req.GetAdd()} {
		for k := range m {
			if isAuthorityHeader(k) {
				count++
			}
		}
	}
	if count > 1 {
		f.errorf(path, "the authority is rewritten more than once (rewrite.authority and headers.request :authority/host)")
	}
}

func isAuthorityHeader(name string) bool {
	return strings.EqualFold(name, ":authority") || strings.EqualFold(name, "host")
}

func (f *findings) redirect(path string, r *networking.HTTPRedirect) {
	if r == nil {
		return
	}
	if r.GetUri() == "" && r.GetAuthority() == "" && r.GetRedirectPort() == nil && r.GetScheme() == "" {
		f.errorf(path, "a redirect must set at least one of uri, authority, port, derivePort or scheme")
	}
	if c := r.GetRedirectCode(); c != 0 && (c < 300 || c > 399) {
		f.errorf(dot(path, "redirectCode"), "%d is not a redirect status (300-399)", c)
	}
	if s := r.GetScheme(); s != "" && s != "http" && s != "https" {
		f.errorf(dot(path, "scheme"), "%q must be http or https", s)
	}
	if _, ok := r.GetRedirectPort().(*networking.HTTPRedirect_Port); ok {
		f.check(dot(path, "port"), validatePort(int64(r.GetPort())))
	}
}

func (f *findings) directResponse(path string, d *networking.HTTPDirectResponse) {
	if d == nil {
		return
	}
	f.check(dot(path, "status"), validateHTTPStatus(int64(d.GetStatus())))
	size := len(d.GetBody().GetString_()) + len(d.GetBody().GetBytes())
	switch {
	case size > 1<<20:
		f.errorf(dot(path, "body"), "body of %d bytes is larger than the 1 MiB limit", size)
	case size > 100<<10:
		f.warnf(dot(path, "body"), "body of %d bytes is large; every proxy receives it with its config", size)
	}
}

func (f *findings) rewrite(path string, r *networking.HTTPRewrite) {
	if r == nil {
		return
	}
	re := r.GetUriRegexRewrite()
	switch {
	case r.GetUri() != "" && re != nil:
		f.errorf(path, "only one of uri and uriRegexRewrite may be set")
	case r.GetUri() == "" && re == nil && r.GetAuthority() == "":
		f.errorf(path, "a rewrite must set uri, uriRegexRewrite or authority")
	}
	if re != nil {
		if re.GetMatch() == "" || re.GetRewrite() == "" {
			f.errorf(dot(path, "uriRegexRewrite"), "both match and rewrite are required")
		}
		if re.GetMatch() != "" {
			f.check(dot(path, "uriRegexRewrite.match"), validateRegex(re.GetMatch()))
		}
	}
}

func (f *findings) retries(path string, r *networking.HTTPRetry) {
	if r == nil {
		return
	}
	if r.GetAttempts() < 0 {
		f.errorf(dot(path, "attempts"), "%d must not be negative", r.GetAttempts())
	}
	if r.GetAttempts() == 0 && (r.GetPerTryTimeout() != nil || r.GetRetryOn() != "" || r.GetRetryRemoteLocalities() != nil) {
		f.errorf(dot(path, "attempts"), "retries are disabled with attempts 0, so perTryTimeout, retryOn and retryRemoteLocalities have no effect; set attempts")
	}
	if t := r.GetPerTryTimeout(); t != nil {
		f.check(dot(path, "perTryTimeout"), validateDuration(t.AsDuration()))
	}
	if r.GetRetryOn() != "" {
		for _, policy := range strings.Split(r.GetRetryOn(), ",") {
			if !isRetryOn(policy) {
				f.errorf(dot(path, "retryOn"), "%q is not a retry condition (e.g. 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, or an HTTP status code); separate them with commas and no spaces", policy)
			}
		}
	}
}

// isRetryOn reports Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on
// conditions, and HTTP status codes, which Istio accepts in retryOn.
func isRetryOn(policy string) bool {
	switch policy {
	case "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure",
		"retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
		"envoy-ratelimited", "http3-post-connect-failure",
		"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable":
		return true
	}
	code, err := strconv.Atoi(policy)
	return err == nil && http.StatusText(code) != ""
}
