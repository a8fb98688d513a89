package config

import (
	"net"
	"strconv"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) sidecar(namespace string, sc *networking.Sidecar) {
	if sel := sc.GetWorkloadSelector(); sel != nil {
		f.selector("spec.workloadSelector.labels", sel.GetLabels())
	}
	if len(sc.GetEgress()) == 0 && len(sc.GetIngress()) == 0 && sc.GetOutboundTrafficPolicy() == nil && sc.GetInboundConnectionPool() == nil {
		f.errorf("spec", "empty Sidecar: set egress, ingress, outboundTrafficPolicy or inboundConnectionPool")
	}
	seen := map[uint32]bool{}
	for i, in := range sc.GetIngress() {
		p := index("spec.ingress", i)
		if in.GetPort() == nil {
			f.errorf(dot(p, "port"), "required for ingress listeners")
			continue
		}
		f.sidecarIngress(p, in)
		if seen[in.GetPort().GetNumber()] {
			f.errorf(dot(p, "port.number"), "port %d is already used by another ingress listener", in.GetPort().GetNumber())
		}
		seen[in.GetPort().GetNumber()] = true
	}
	f.connectionPool("spec.inboundConnectionPool", sc.GetInboundConnectionPool())
	f.sidecarEgress(namespace, sc.GetEgress())
	f.outboundTrafficPolicy("spec.outboundTrafficPolicy", sc.GetOutboundTrafficPolicy())
}

func (f *findings) sidecarIngress(p string, in *networking.IstioIngressListener) {
	f.sidecarPort(dot(p, "port"), in.GetPort())
	if b := in.GetBind(); b != "" && !isIP(b) {
		f.errorf(dot(p, "bind"), "%q is not an IP address", b)
	}
	if ep := in.GetDefaultEndpoint(); ep != "" {
		f.check(dot(p, "defaultEndpoint"), validateDefaultEndpoint(ep))
	}
	if t := in.GetTls(); t != nil {
		if t.GetMode() == networking.ServerTLSSettings_ISTIO_MUTUAL || t.GetMode() == networking.ServerTLSSettings_AUTO_PASSTHROUGH {
			f.errorf(dot(p, "tls.mode"), "%s is not allowed on a sidecar ingress listener", t.GetMode())
		}
		if t.GetHttpsRedirect() {
			f.errorf(dot(p, "tls.httpsRedirect"), "not supported on a sidecar ingress listener")
		}
		f.serverTLS(dot(p, "tls"), t)
	}
	f.connectionPool(dot(p, "connectionPool"), in.GetConnectionPool())
}

// validateDefaultEndpoint is Istio's rule: the app is reached on loopback or
// any address of the workload (127.0.0.1, 0.0.0.0, ::1, ::) or a unix socket.
func validateDefaultEndpoint(ep string) error {
	if rest, ok := strings.CutPrefix(ep, unixPrefix); ok {
		return validateUnixPath(rest)
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return errorf("%q must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix://PATH", ep)
	}
	switch host {
	case "", "127.0.0.1", "0.0.0.0", "::1", "::":
	default:
		return errorf("%q: the host must be 127.0.0.1, 0.0.0.0, [::1] or [::] (or use unix://PATH)", ep)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return errorf("%q: port %q is not a number", ep, port)
	}
	return validatePort(int64(n))
}

func (f *findings) sidecarPort(p string, port *networking.SidecarPort) {
	if port.GetName() != "" {
		f.check(dot(p, "name"), validatePortName(port.GetName()))
	}
	if port.GetProtocol() != "" {
		f.check(dot(p, "protocol"), validateProtocol(port.GetProtocol()))
	}
	if port.GetNumber() != 0 {
		f.check(dot(p, "number"), validatePort(int64(port.GetNumber())))
	}
	//lint:ignore SA1019 targetPort is deprecated; rejected here as Istio does.
	if port.GetTargetPort() != 0 {
		f.errorf(dot(p, "targetPort"), "has no effect on a Sidecar")
	}
}

// sidecarEgress checks egress listeners: at most one without a port, last;
// (bind, port) unique; hosts of the form namespace/dnsName.
func (f *findings) sidecarEgress(namespace string, egress []*networking.IstioEgressListener) {
	type listenerAddr struct {
		bind string
		port uint32
	}
	seen := map[listenerAddr]bool{}
	for i, e := range egress {
		p := index("spec.egress", i)
		if e.GetPort() == nil {
			if i != len(egress)-1 {
				f.errorf(p, "the egress listener without a port must be the last one (and there can be only one)")
			}
		} else {
			f.egressPort(p, e)
			a := listenerAddr{e.GetBind(), e.GetPort().GetNumber()}
			if seen[a] {
				f.errorf(dot(p, "port.number"), "another egress listener already uses port %d on bind %q", a.port, a.bind)
			}
			seen[a] = true
		}
		if len(e.GetHosts()) == 0 {
			f.errorf(dot(p, "hosts"), "at least one host is required")
		}
		for j, h := range e.GetHosts() {
			f.check(index(dot(p, "hosts"), j), validateNamespacedHost(h, false))
		}
	}
}

func (f *findings) egressPort(p string, e *networking.IstioEgressListener) {
	f.sidecarPort(dot(p, "port"), e.GetPort())
	bind := e.GetBind()
	if e.GetPort().GetNumber() == 0 {
		if !strings.HasPrefix(bind, unixPrefix) {
			f.errorf(dot(p, "bind"), "port 0 needs a unix://PATH bind")
		} else {
			f.check(dot(p, "bind"), validateUnixPath(strings.TrimPrefix(bind, unixPrefix)))
		}
		if m := e.GetCaptureMode(); m != networking.CaptureMode_DEFAULT && m != networking.CaptureMode_NONE {
			f.errorf(dot(p, "captureMode"), "must be DEFAULT or NONE for a unix socket listener")
		}
		return
	}
	if bind != "" && !isIP(bind) {
		f.errorf(dot(p, "bind"), "%q is not an IP address", bind)
	}
}

// validateNamespacedHost checks `namespace/dnsName` hosts of Sidecars and
// Gateways; gateways may leave out the namespace, and sidecars may use `~`.
func validateNamespacedHost(h string, gateway bool) error {
	ns, name, ok := strings.Cut(h, "/")
	if !ok {
		if gateway {
			return validateWildcardHost(h)
		}
		return errorf("%q must be namespace/dnsName (e.g. ./reviews.default.svc.cluster.local or istio-system/*)", h)
	}
	if ns == "" || name == "" {
		return errorf("%q: neither the namespace nor the dnsName may be empty", h)
	}
	if ns != "*" && ns != "." && !(ns == "~" && !gateway) && !isDNS1123Label(ns) {
		return errorf("%q: namespace %q must be *, ., ~ or a namespace name", h, ns)
	}
	return validateWildcardHost(name)
}

func (f *findings) outboundTrafficPolicy(p string, tp *networking.OutboundTrafficPolicy) {
	proxy := tp.GetEgressProxy()
	if proxy == nil {
		return
	}
	if tp.GetMode() != networking.OutboundTrafficPolicy_ALLOW_ANY {
		f.errorf(dot(p, "egressProxy"), "allowed only with mode ALLOW_ANY")
	}
	if proxy.GetPort() == nil {
		f.errorf(dot(p, "egressProxy.port"), "required")
	}
	f.destination(dot(p, "egressProxy"), proxy)
}
