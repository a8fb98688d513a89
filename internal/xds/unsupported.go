package xds

import (
	"fmt"

	"istio.io/api/networking/v1alpha3"

	"github.com/loom-mesh/loom/internal/config"
)

// Unsupported reports, as warnings, every field present in cfg that the
// generator does not act on (yet), naming the object, the field path and what
// happens instead, so no rule is dropped silently. Its signature is
// config.Analyzer's: `loom analyze` and the control plane run it with Loom's
// own validation.
func Unsupported(cfg *config.Snapshot) []config.Problem {
	var out []config.Problem
	for _, kind := range []config.Kind{
		config.KindVirtualService, config.KindDestinationRule, config.KindServiceEntry,
		config.KindWorkloadEntry, config.KindSidecar, config.KindGateway, config.KindPeerAuthentication,
		config.KindAuthorizationPolicy, config.KindRequestAuthentication,
	} {
		for _, o := range cfg.List(kind) {
			f := &finder{key: o.Key}
			f.object(o)
			out = append(out, f.out...)
		}
	}
	return out
}

// finder collects the warnings about one object.
type finder struct {
	key config.Key
	out []config.Problem
}

func (f *finder) warn(field, format string, args ...any) {
	f.out = append(f.out, warning(f.key, field, fmt.Sprintf(format, args...)))
}

func (f *finder) object(o *config.Object) {
	switch spec := o.Spec.(type) {
	case *v1alpha3.VirtualService:
		f.virtualService(spec)
	case *v1alpha3.DestinationRule:
		f.destinationRule(spec)
	case *v1alpha3.ServiceEntry:
		f.serviceEntry(spec)
	case *v1alpha3.WorkloadEntry:
		f.network("spec.network", spec.GetNetwork())
	case *v1alpha3.Sidecar:
		f.sidecar(spec)
	}
	switch o.Kind {
	case config.KindGateway:
		f.warn("", "gateways are not served yet (a later release); this Gateway configures no proxy")
	case config.KindPeerAuthentication, config.KindAuthorizationPolicy, config.KindRequestAuthentication:
		f.warn("", "not enforced yet: mTLS and authorization land in a later release")
	}
}

func (f *finder) serviceEntry(se *v1alpha3.ServiceEntry) {
	switch se.GetResolution() {
	case v1alpha3.ServiceEntry_NONE:
		f.warn("spec.resolution", "NONE (forward to the address the client dialed) is not supported yet; no proxy routes to these hosts")
	case v1alpha3.ServiceEntry_DYNAMIC_DNS:
		f.warn("spec.resolution", "DYNAMIC_DNS is not supported yet; no proxy routes to these hosts")
	}
	if len(se.GetSubjectAltNames()) > 0 {
		f.warn("spec.subjectAltNames", "not checked until mTLS lands")
	}
	for i, e := range se.GetEndpoints() {
		f.network(fmt.Sprintf("spec.endpoints[%d].network", i), e.GetNetwork())
	}
}

func (f *finder) network(field, network string) {
	if network != "" {
		f.warn(field, "multi-network meshes are not supported yet; the endpoint is treated as directly reachable")
	}
}

func (f *finder) sidecar(sc *v1alpha3.Sidecar) {
	if sc.GetOutboundTrafficPolicy() != nil {
		f.warn("spec.outboundTrafficPolicy", "not applied: proxies reach only the services their egress listeners import")
	}
	if sc.GetInboundConnectionPool() != nil {
		f.warn("spec.inboundConnectionPool", "not applied yet")
	}
	for i, in := range sc.GetIngress() {
		field := fmt.Sprintf("spec.ingress[%d]", i)
		if _, ok := parseDefaultEndpoint(in.GetDefaultEndpoint(), in.GetPort().GetNumber()); !ok {
			f.warn(field+".defaultEndpoint", "%q: Loom forwards only to IP:port endpoints yet; this ingress listener is not created", in.GetDefaultEndpoint())
		}
		if in.GetTls() != nil {
			f.warn(field+".tls", "not applied until TLS termination lands; the listener is plaintext")
		}
		if in.GetConnectionPool() != nil {
			f.warn(field+".connectionPool", "not applied yet")
		}
	}
}
