package config

import (
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) fault(path string, fault *networking.HTTPFaultInjection) {
	if fault == nil {
		return
	}
	if fault.GetAbort() == nil && fault.GetDelay() == nil {
		f.errorf(path, "a fault needs an abort, a delay, or both")
	}
	if a := fault.GetAbort(); a != nil {
		f.abort(dot(path, "abort"), a)
	}
	if d := fault.GetDelay(); d != nil {
		f.delay(dot(path, "delay"), d)
	}
}

func (f *findings) abort(path string, a *networking.HTTPFaultInjection_Abort) {
	f.percentage(dot(path, "percentage"), a.GetPercentage())
	switch a.GetErrorType().(type) {
	case *networking.HTTPFaultInjection_Abort_HttpStatus:
		f.check(dot(path, "httpStatus"), validateHTTPStatus(int64(a.GetHttpStatus())))
	case *networking.HTTPFaultInjection_Abort_GrpcStatus:
		if !isGRPCStatus(a.GetGrpcStatus()) {
			f.errorf(dot(path, "grpcStatus"), "%q is not a gRPC status name (e.g. UNAVAILABLE, NOT_FOUND)", a.GetGrpcStatus())
		}
	case *networking.HTTPFaultInjection_Abort_Http2Error:
		f.errorf(dot(path, "http2Error"), "HTTP/2 error aborts are not supported")
	default:
		f.warnf(path, "abort has no httpStatus or grpcStatus, so it does nothing")
	}
	if a.GetPercentage() == nil {
		f.warnf(dot(path, "percentage"), "not set: no request is aborted")
	}
}

func (f *findings) delay(path string, d *networking.HTTPFaultInjection_Delay) {
	f.percentage(dot(path, "percentage"), d.GetPercentage())
	//lint:ignore SA1019 percent is deprecated but still part of the API.
	if p := d.GetPercent(); p < 0 || p > 100 {
		f.errorf(dot(path, "percent"), "%d must be between 0 and 100", p)
	}
	switch d.GetHttpDelayType().(type) {
	case *networking.HTTPFaultInjection_Delay_FixedDelay:
		f.check(dot(path, "fixedDelay"), validateDuration(d.GetFixedDelay().AsDuration()))
	case *networking.HTTPFaultInjection_Delay_ExponentialDelay:
		f.errorf(dot(path, "exponentialDelay"), "exponential delays are not supported")
	default:
		f.errorf(dot(path, "fixedDelay"), "required for a delay")
	}
	//lint:ignore SA1019 percent is deprecated but still part of the API.
	if d.GetPercentage() == nil && d.GetPercent() == 0 {
		f.warnf(dot(path, "percentage"), "not set: no request is delayed")
	}
}

// percentage is Istio's rule: 0, or between 0.0001 and 100.
func (f *findings) percentage(path string, p *networking.Percent) {
	if p == nil {
		return
	}
	v := p.GetValue()
	if v < 0 || v > 100 || (v > 0 && v < 0.0001) {
		f.errorf(dot(path, "value"), "%v must be 0 or between 0.0001 and 100", v)
	}
}

func isGRPCStatus(s string) bool {
	switch strings.ToUpper(s) {
	case "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED":
		return true
	}
	return false
}

// mirrors checks mirror, mirrorPercent(age) and mirrors.
func (f *findings) mirrors(path string, r *networking.HTTPRoute) {
	if m := r.GetMirror(); m != nil {
		f.destination(dot(path, "mirror"), m)
	}
	//lint:ignore SA1019 mirrorPercent is deprecated but still part of the API.
	if mp := r.GetMirrorPercent(); mp != nil {
		if mp.GetValue() > 100 {
			f.errorf(dot(path, "mirrorPercent"), "%d must be at most 100", mp.GetValue())
		}
		f.warnf(dot(path, "mirrorPercent"), "deprecated; use mirrorPercentage")
	}
	if mp := r.GetMirrorPercentage(); mp != nil && (mp.GetValue() < 0 || mp.GetValue() > 100) {
		f.errorf(dot(path, "mirrorPercentage.value"), "%v must be between 0 and 100", mp.GetValue())
	}
	for i, m := range r.GetMirrors() {
		p := index(dot(path, "mirrors"), i)
		if m.GetDestination() == nil {
			f.errorf(dot(p, "destination"), "required")
			continue
		}
		f.destination(dot(p, "destination"), m.GetDestination())
		if v := m.GetPercentage().GetValue(); v < 0 || v > 100 {
			f.errorf(dot(p, "percentage.value"), "%v must be between 0 and 100", v)
		}
	}
}

func (f *findings) corsPolicy(path string, c *networking.CorsPolicy) {
	if c == nil {
		return
	}
	for i, o := range c.GetAllowOrigins() {
		p := index(dot(path, "allowOrigins"), i)
		if o.GetExact() == "" && o.GetPrefix() == "" && o.GetRegex() == "" {
			f.errorf(p, "an origin needs a non-empty exact, prefix or regex")
		}
		f.stringMatch(p, o, true)
	}
	for i, m := range c.GetAllowMethods() {
		if !isHTTPMethod(m) {
			f.errorf(index(dot(path, "allowMethods"), i), "%q is not an HTTP method", m)
		}
	}
	for _, list := range []string{"allowHeaders", "exposeHeaders"} {
		names := c.GetAllowHeaders()
		if list == "exposeHeaders" {
			names = c.GetExposeHeaders()
		}
		for i, h := range names {
			if h != "*" && !headerNamePattern.MatchString(h) {
				f.errorf(index(dot(path, list), i), "%q is not a valid header name", h)
			}
		}
	}
	if age := c.GetMaxAge(); age != nil {
		f.check(dot(path, "maxAge"), validateDuration(age.AsDuration()))
		if age.GetNanos() != 0 {
			f.errorf(dot(path, "maxAge"), "only whole seconds are supported")
		}
	}
}

func isHTTPMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE":
		return true
	}
	return false
}
