package xds

import (
	"fmt"
	"slices"
	"strings"

	"istio.io/api/networking/v1alpha3"
)

func (f *finder) virtualService(vs *v1alpha3.VirtualService) {
	if gw := vs.GetGateways(); len(gw) > 0 {
		if !slices.Contains(gw, meshGateway) {
			f.warn("spec.gateways", "bound only to gateways %v, which are not served yet (a later release); this VirtualService routes nothing", gw)
		} else if len(gw) > 1 {
			f.warn("spec.gateways", "gateways other than mesh are not served yet; only sidecars apply this VirtualService")
		}
	}
	if len(vs.GetTls()) > 0 {
		f.warn("spec.tls", "TLS routes are not supported yet; ignored")
	}
	if len(vs.GetTcp()) > 0 {
		f.warn("spec.tcp", "TCP routes are not supported yet; ignored (TCP listeners forward to their one service)")
	}
	for i, r := range vs.GetHttp() {
		f.httpRoute(fmt.Sprintf("spec.http[%d]", i), r)
	}
}

func (f *finder) httpRoute(field string, r *v1alpha3.HTTPRoute) {
	//lint:ignore SA1019 old configs still carry mirrorPercent; it must be reported too.
	if r.GetMirror() != nil || len(r.GetMirrors()) > 0 || r.GetMirrorPercentage() != nil || r.GetMirrorPercent() != nil {
		f.warn(field+".mirror", "traffic mirroring is not supported yet; nothing is mirrored")
	}
	if r.GetCorsPolicy() != nil {
		f.warn(field+".corsPolicy", "CORS is not supported yet; ignored")
	}
	if r.GetDelegate() != nil {
		f.warn(field+".delegate", "delegation is not supported; this route is left out")
	}
	for j, m := range r.GetMatch() {
		if m.GetStatPrefix() != "" {
			f.warn(fmt.Sprintf("%s.match[%d].statPrefix", field, j), "not applied yet")
		}
	}
	f.retries(field+".retries", r.GetRetries())
	f.fault(field+".fault", r.GetFault())
	f.redirect(field+".redirect", r.GetRedirect())
	f.headers(field+".headers", r.GetHeaders())
	for j, d := range r.GetRoute() {
		f.headers(fmt.Sprintf("%s.route[%d].headers", field, j), d.GetHeaders())
	}
}

func (f *finder) retries(field string, r *v1alpha3.HTTPRetry) {
	var dropped []string
	for _, tok := range strings.Split(r.GetRetryOn(), ",") {
		tok = strings.TrimSpace(tok)
		if tok != "" && !supportedRetryOn(tok) && !isNumber(tok) {
			dropped = append(dropped, tok)
		}
	}
	if len(dropped) > 0 {
		f.warn(field+".retryOn", "%s: not supported yet; left out", strings.Join(dropped, ", "))
	}
	if r.GetRetryRemoteLocalities().GetValue() {
		f.warn(field+".retryRemoteLocalities", "not applied yet")
	}
}

func isNumber(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func (f *finder) fault(field string, fi *v1alpha3.HTTPFaultInjection) {
	if d := fi.GetDelay(); d != nil {
		switch {
		case d.GetExponentialDelay() != nil:
			f.warn(field+".delay.exponentialDelay", "not supported; no delay is injected")
		//lint:ignore SA1019 Bookinfo's samples still use the integer percent.
		case d.GetPercentage() == nil && d.GetPercent() == 0:
			f.warn(field+".delay", "no percentage: no request is delayed (as in Istio); set percentage.value")
		}
	}
	if a := fi.GetAbort(); a != nil {
		switch {
		case a.GetHttp2Error() != "":
			f.warn(field+".abort.http2Error", "not supported; no request is aborted")
		case a.GetGrpcStatus() != "":
			if _, ok := grpcCode(a.GetGrpcStatus()); !ok {
				f.warn(field+".abort.grpcStatus", "%q is not a gRPC status; no request is aborted", a.GetGrpcStatus())
			}
		}
		if a.GetPercentage() == nil {
			f.warn(field+".abort", "no percentage: no request is aborted (as in Istio); set percentage.value")
		}
	}
}

func (f *finder) redirect(field string, rd *v1alpha3.HTTPRedirect) {
	if rd == nil {
		return
	}
	switch rd.GetRedirectCode() {
	case 0, 301, 302, 303, 307, 308:
	default:
		f.warn(field+".redirectCode", "%d: Envoy redirects only with 301, 302, 303, 307 or 308; 301 is used", rd.GetRedirectCode())
	}
}

func (f *finder) headers(field string, h *v1alpha3.Headers) {
	for _, dir := range []struct {
		name string
		ops  *v1alpha3.Headers_HeaderOperations
	}{{"request", h.GetRequest()}, {"response", h.GetResponse()}} {
		for _, op := range []struct {
			name  string
			names []string
		}{{"set", sortedKeys(dir.ops.GetSet())}, {"add", sortedKeys(dir.ops.GetAdd())}, {"remove", dir.ops.GetRemove()}} {
			for _, n := range op.names {
				if v := opValue(dir.ops, op.name, n); strings.Contains(v, "%") {
					f.warn(fmt.Sprintf("%s.%s.%s.%s", field, dir.name, op.name, n), "%q: Envoy reads %% in a header value as a formatter (%%VARIABLE%%), which Loom's proxy does not evaluate yet; ignored", v)
				}
				if !mutableHeader(n) {
					f.warn(fmt.Sprintf("%s.%s.%s", field, dir.name, op.name), "%q cannot be changed this way: pseudo-headers, host (use rewrite.authority), hop-by-hop, framing and expect fields are the proxy's own; ignored", n)
				}
			}
		}
	}
}

// opValue is the value a set or add operation gives name ("" for remove).
func opValue(ops *v1alpha3.Headers_HeaderOperations, op, name string) string {
	switch op {
	case "set":
		return ops.GetSet()[name]
	case "add":
		return ops.GetAdd()[name]
	}
	return ""
}
