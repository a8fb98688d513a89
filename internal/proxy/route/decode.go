package route

import (
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// Decode validates an xDS RouteConfiguration and converts it to a Config,
// compiling every regex once. Errors name the route configuration, the field
// path and the reason.
func Decode(rc *routev3.RouteConfiguration) (*Config, error) {
	cfg, err := decodeConfig(rc, true)
	return cfg, xdsdecode.ForResource("route", rc.GetName(), err)
}

// DecodeInline converts a RouteConfiguration embedded in a listener's HTTP
// connection manager; errors carry only the field path, for the listener to
// prefix.
func DecodeInline(rc *routev3.RouteConfiguration) (*Config, error) {
	return decodeConfig(rc, false)
}

func decodeConfig(rc *routev3.RouteConfiguration, validate bool) (*Config, error) {
	if validate {
		if err := xdsdecode.Validate(rc); err != nil {
			return nil, err
		}
	}
	if err := xdsdecode.OnlyFields(rc, "name", "virtual_hosts", "validate_clusters"); err != nil {
		return nil, err
	}
	cfg := &Config{Name: rc.GetName()}
	domains := map[string]string{} // domain → virtual host that has it
	for i, vh := range rc.GetVirtualHosts() {
		v, err := decodeVirtualHost(vh, domains)
		if err != nil {
			return nil, xdsdecode.At(err, xdsdecode.Index("virtual_hosts", i))
		}
		cfg.VirtualHosts = append(cfg.VirtualHosts, v)
	}
	return cfg, nil
}

func decodeVirtualHost(vh *routev3.VirtualHost, seen map[string]string) (*VirtualHost, error) {
	if err := xdsdecode.OnlyFields(vh, "name", "domains", "routes",
		"request_headers_to_add", "request_headers_to_remove",
		"response_headers_to_add", "response_headers_to_remove"); err != nil {
		return nil, err
	}
	v := &VirtualHost{Name: vh.GetName()}
	for i, d := range vh.GetDomains() {
		d, err := decodeDomain(d, vh.GetName(), seen)
		if err != nil {
			return nil, xdsdecode.At(err, xdsdecode.Index("domains", i))
		}
		v.Domains = append(v.Domains, d)
	}
	var err error
	if v.RequestHeaders, err = decodeMutation(vh.GetRequestHeadersToAdd(), vh.GetRequestHeadersToRemove(), "request"); err != nil {
		return nil, err
	}
	if v.ResponseHeaders, err = decodeMutation(vh.GetResponseHeadersToAdd(), vh.GetResponseHeadersToRemove(), "response"); err != nil {
		return nil, err
	}
	for i, r := range vh.GetRoutes() {
		route, err := decodeRoute(r)
		if err != nil {
			return nil, xdsdecode.At(err, xdsdecode.Index("routes", i))
		}
		v.Routes = append(v.Routes, route)
	}
	return v, nil
}

// decodeDomain lowercases a domain and checks it as Envoy does: wildcards
// only as a whole `*`, a prefix `*` or a suffix `*`, and each domain in one
// virtual host only.
func decodeDomain(d, vhost string, seen map[string]string) (string, error) {
	d = strings.ToLower(d)
	if d == "" {
		return "", xdsdecode.Errorf("", "must not be empty")
	}
	if inner := strings.Trim(d, "*"); strings.Contains(inner, "*") || (d != "*" && strings.HasPrefix(d, "*") && strings.HasSuffix(d, "*")) {
		return "", xdsdecode.Errorf("", "%q: a wildcard is only allowed as the whole domain, its first or its last character", d)
	}
	if other, dup := seen[d]; dup {
		return "", xdsdecode.Errorf("", "%q: already a domain of virtual host %q (domains must be unique in a route configuration)", d, other)
	}
	seen[d] = vhost
	return d, nil
}

func decodeRoute(r *routev3.Route) (*Route, error) {
	if err := xdsdecode.OnlyFields(r, "name", "match", "route", "redirect", "direct_response",
		"typed_per_filter_config", "metadata",
		"request_headers_to_add", "request_headers_to_remove",
		"response_headers_to_add", "response_headers_to_remove"); err != nil {
		return nil, err
	}
	out := &Route{Name: r.GetName()}
	var err error
	if out.Match, err = decodeMatch(r.GetMatch()); err != nil {
		return nil, xdsdecode.At(err, "match")
	}
	if err = decodeAction(r, out); err != nil {
		return nil, err
	}
	if out.Fault, err = decodeFilterConfigs(r); err != nil {
		return nil, err
	}
	if out.RequestHeaders, err = decodeMutation(r.GetRequestHeadersToAdd(), r.GetRequestHeadersToRemove(), "request"); err != nil {
		return nil, err
	}
	out.ResponseHeaders, err = decodeMutation(r.GetResponseHeadersToAdd(), r.GetResponseHeadersToRemove(), "response")
	return out, err
}

func decodeAction(r *routev3.Route, out *Route) error {
	var err error
	switch {
	case r.GetRoute() != nil:
		out.Forward, err = decodeForward(r.GetRoute())
		return xdsdecode.At(err, "route")
	case r.GetRedirect() != nil:
		out.Redirect, err = decodeRedirect(r.GetRedirect())
		return xdsdecode.At(err, "redirect")
	case r.GetDirectResponse() != nil:
		out.Direct, err = decodeDirect(r.GetDirectResponse())
		return xdsdecode.At(err, "direct_response")
	}
	return xdsdecode.Errorf("", "want one of route, redirect or direct_response")
}
