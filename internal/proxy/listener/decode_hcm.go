package listener

import (
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"

	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// Envoy's HTTP connection manager defaults.
const (
	DefaultStreamIdleTimeout   = 5 * time.Minute
	DefaultMaxRequestHeadersKB = 60
)

// HTTP filter type names the proxy implements.
var (
	routerType = string((&routerv3.Router{}).ProtoReflect().Descriptor().FullName())
	faultType  = string((&faultv3.HTTPFault{}).ProtoReflect().Descriptor().FullName())
)

func decodeHCM(h *hcmv3.HttpConnectionManager) (*HTTPConnectionManager, error) {
	if err := xdsdecode.OnlyFields(h, "codec_type", "stat_prefix", "rds", "route_config",
		"http_filters", "stream_idle_timeout", "request_timeout", "max_request_headers_kb"); err != nil {
		return nil, err
	}
	out := &HTTPConnectionManager{StatPrefix: h.GetStatPrefix(), MaxRequestHeadersKB: DefaultMaxRequestHeadersKB}
	var err error
	if out.Codec, err = codec(h.GetCodecType()); err != nil {
		return nil, err
	}
	if err = decodeRoutes(h, out); err != nil {
		return nil, err
	}
	if out.FaultFilter, err = decodeHTTPFilters(h.GetHttpFilters()); err != nil {
		return nil, err
	}
	if out.StreamIdleTimeout, err = xdsdecode.IdleTimeout(h.GetStreamIdleTimeout(), DefaultStreamIdleTimeout, "stream_idle_timeout"); err != nil {
		return nil, err
	}
	if out.RequestTimeout, err = xdsdecode.Duration(h.GetRequestTimeout(), 0, "request_timeout"); err != nil {
		return nil, err
	}
	if kb := h.GetMaxRequestHeadersKb(); kb != nil {
		out.MaxRequestHeadersKB = kb.GetValue()
	}
	return out, nil
}

func codec(c hcmv3.HttpConnectionManager_CodecType) (Codec, error) {
	switch c {
	case hcmv3.HttpConnectionManager_AUTO:
		return CodecAuto, nil
	case hcmv3.HttpConnectionManager_HTTP1:
		return CodecHTTP1, nil
	case hcmv3.HttpConnectionManager_HTTP2:
		return CodecHTTP2, nil
	}
	return 0, xdsdecode.Errorf("codec_type", "%s: not supported (want AUTO, HTTP1 or HTTP2)", c)
}

func decodeRoutes(h *hcmv3.HttpConnectionManager, out *HTTPConnectionManager) error {
	if rc := h.GetRouteConfig(); rc != nil {
		cfg, err := route.DecodeInline(rc)
		out.InlineRoutes = cfg
		return xdsdecode.At(err, "route_config")
	}
	rds := h.GetRds()
	if rds == nil {
		return xdsdecode.Errorf("", "want rds or route_config (scoped_routes is not supported)")
	}
	if err := xdsdecode.OnlyFields(rds, "config_source", "route_config_name"); err != nil {
		return xdsdecode.At(err, "rds")
	}
	if err := checkADS(rds.GetConfigSource()); err != nil {
		return xdsdecode.At(err, "rds.config_source")
	}
	if rds.GetRouteConfigName() == "" {
		return xdsdecode.Errorf("rds.route_config_name", "required")
	}
	out.RouteConfigName = rds.GetRouteConfigName()
	return nil
}

// checkADS accepts only a ConfigSource that points at the ADS stream.
func checkADS(src *corev3.ConfigSource) error {
	if src.GetAds() == nil {
		return xdsdecode.Errorf("", "must be {ads: {}}: the proxy fetches everything over its one ADS stream")
	}
	return xdsdecode.OnlyFields(src, "ads", "resource_api_version")
}

// decodeHTTPFilters accepts the fault filter (optional, first) and the
// router (required, last). An unknown filter marked is_optional is skipped,
// as Envoy skips it.
func decodeHTTPFilters(filters []*hcmv3.HttpFilter) (fault bool, err error) {
	for i, f := range filters {
		path := xdsdecode.Index("http_filters", i)
		if err := xdsdecode.OnlyFields(f, "name", "typed_config", "is_optional"); err != nil {
			return false, xdsdecode.At(err, path)
		}
		last := i == len(filters)-1
		switch xdsdecode.TypeName(f.GetTypedConfig()) {
		case routerType:
			if !last {
				return false, xdsdecode.Errorf(path, "router must be the last HTTP filter")
			}
			err = xdsdecode.At(emptyConfig(f, &routerv3.Router{}), path)
		case faultType:
			fault = true
			err = xdsdecode.At(emptyConfig(f, &faultv3.HTTPFault{}), path)
		default:
			if !f.GetIsOptional() {
				return false, xdsdecode.Errorf(path, "unsupported HTTP filter %q (type %s)", f.GetName(), xdsdecode.TypeName(f.GetTypedConfig()))
			}
		}
		if err != nil {
			return false, err
		}
	}
	if len(filters) == 0 || xdsdecode.TypeName(filters[len(filters)-1].GetTypedConfig()) != routerType {
		return false, xdsdecode.Errorf("http_filters", "the last HTTP filter must be envoy.filters.http.router")
	}
	return fault, nil
}

// emptyConfig accepts a filter-level config with no fields set: the router
// has no options the proxy implements, and faults are configured per route.
func emptyConfig(f *hcmv3.HttpFilter, m proto.Message) error {
	if err := xdsdecode.Unpack(f.GetTypedConfig(), m); err != nil {
		return xdsdecode.At(err, "typed_config")
	}
	return xdsdecode.At(xdsdecode.OnlyFields(m), "typed_config")
}
