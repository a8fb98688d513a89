package config

import (
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) gateway(name string, gw *networking.Gateway) {
	if !isDNS1123Label(name) {
		f.errorf("metadata.name", "a Gateway's name must be a DNS label (no dots)")
	}
	if len(gw.GetSelector()) == 0 {
		f.warnf("spec.selector", "no selector: the Gateway applies to every gateway workload")
	}
	f.checkLabels("spec.selector", gw.GetSelector())
	if len(gw.GetServers()) == 0 {
		f.errorf("spec.servers", "at least one server is required")
	}
	portNames := map[string]bool{}
	for i, s := range gw.GetServers() {
		p := index("spec.servers", i)
		f.server(p, s)
		if pn := s.GetPort().GetName(); pn != "" {
			if portNames[pn] {
				f.errorf(dot(p, "port.name"), "port name %q is used by another server", pn)
			}
			portNames[pn] = true
		}
	}
}

func (f *findings) server(p string, s *networking.Server) {
	if len(s.GetHosts()) == 0 {
		f.errorf(dot(p, "hosts"), "at least one host is required")
	}
	for j, h := range s.GetHosts() {
		f.check(index(dot(p, "hosts"), j), validateNamespacedHost(h, true))
	}
	unixBind := strings.HasPrefix(s.GetBind(), unixPrefix)
	if unixBind {
		f.check(dot(p, "bind"), validateUnixPath(strings.TrimPrefix(s.GetBind(), unixPrefix)))
	} else if b := s.GetBind(); b != "" && !isIP(b) {
		f.errorf(dot(p, "bind"), "%q is not an IP address or unix://PATH", b)
	}
	port := s.GetPort()
	if port == nil {
		f.errorf(dot(p, "port"), "required")
		return
	}
	f.serverPort(dot(p, "port"), port, unixBind)
	f.serverTLSForProtocol(p, port.GetProtocol(), s.GetTls())
}

func (f *findings) serverPort(p string, port *networking.Port, unixBind bool) {
	f.check(dot(p, "protocol"), validateProtocol(port.GetProtocol()))
	if port.GetNumber() != 0 || !unixBind {
		f.check(dot(p, "number"), validatePort(int64(port.GetNumber())))
	}
	if unixBind && port.GetNumber() != 0 {
		f.errorf(dot(p, "number"), "must be 0 with a unix socket bind")
	}
	if port.GetName() == "" {
		f.errorf(dot(p, "name"), "required")
	}
	//lint:ignore SA1019 targetPort is deprecated; rejected here as Istio does.
	if port.GetTargetPort() != 0 {
		f.errorf(dot(p, "targetPort"), "has no effect on a Gateway")
	}
}

// serverTLSForProtocol: HTTPS and TLS servers need tls; plain HTTP servers
// may only carry httpsRedirect; other protocols no tls at all.
func (f *findings) serverTLSForProtocol(p, protocol string, t *networking.ServerTLSSettings) {
	switch {
	case isTLSProtocol(protocol) && t == nil:
		f.errorf(dot(p, "tls"), "required for %s servers", strings.ToUpper(protocol))
	case t != nil && isHTTPProtocol(protocol):
		if t.GetMode() != networking.ServerTLSSettings_PASSTHROUGH || t.GetServerCertificate() != "" || t.GetPrivateKey() != "" || t.GetCaCertificates() != "" {
			f.errorf(dot(p, "tls"), "a plain-text HTTP server may only set httpsRedirect")
		}
	case t != nil && !isTLSProtocol(protocol):
		f.errorf(dot(p, "tls"), "not allowed on a %s server", protocol)
	}
	if t != nil && !isHTTPProtocol(protocol) && t.GetHttpsRedirect() {
		f.warnf(dot(p, "tls.httpsRedirect"), "only has an effect on HTTP servers")
	}
	if t != nil {
		f.serverTLS(dot(p, "tls"), t)
	}
}

// serverTLS checks the certificates a TLS mode needs.
func (f *findings) serverTLS(p string, t *networking.ServerTLSSettings) {
	hasFiles := t.GetServerCertificate() != "" || t.GetPrivateKey() != "" || t.GetCaCertificates() != ""
	hasCredential := t.GetCredentialName() != "" || len(t.GetCredentialNames()) > 0 || len(t.GetTlsCertificates()) > 0
	switch t.GetMode() {
	case networking.ServerTLSSettings_ISTIO_MUTUAL:
		if hasFiles || hasCredential {
			f.errorf(p, "ISTIO_MUTUAL uses the mesh's certificates; certificate files and credentials must not be set")
		}
	case networking.ServerTLSSettings_PASSTHROUGH, networking.ServerTLSSettings_AUTO_PASSTHROUGH:
		if hasFiles || hasCredential {
			f.warnf(p, "%s does not terminate TLS; certificates are ignored", t.GetMode())
		}
	case networking.ServerTLSSettings_SIMPLE, networking.ServerTLSSettings_MUTUAL, networking.ServerTLSSettings_OPTIONAL_MUTUAL:
		if hasCredential {
			return
		}
		if t.GetServerCertificate() == "" {
			f.errorf(dot(p, "serverCertificate"), "required for %s TLS (or set credentialName)", t.GetMode())
		}
		if t.GetPrivateKey() == "" {
			f.errorf(dot(p, "privateKey"), "required for %s TLS (or set credentialName)", t.GetMode())
		}
		if t.GetMode() != networking.ServerTLSSettings_SIMPLE && t.GetCaCertificates() == "" {
			f.errorf(dot(p, "caCertificates"), "required for %s TLS (or set credentialName)", t.GetMode())
		}
	}
}
