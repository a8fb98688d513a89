package config

import (
	"google.golang.org/protobuf/types/known/durationpb"
	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) connectionPool(path string, cp *networking.ConnectionPoolSettings) {
	if cp == nil {
		return
	}
	if cp.GetHttp() == nil && cp.GetTcp() == nil {
		f.errorf(path, "a connection pool must set http or tcp")
		return
	}
	if h := cp.GetHttp(); h != nil {
		p := dot(path, "http")
		f.nonNegative(dot(p, "http1MaxPendingRequests"), h.GetHttp1MaxPendingRequests())
		f.nonNegative(dot(p, "http2MaxRequests"), h.GetHttp2MaxRequests())
		f.nonNegative(dot(p, "maxRequestsPerConnection"), h.GetMaxRequestsPerConnection())
		f.nonNegative(dot(p, "maxRetries"), h.GetMaxRetries())
		f.nonNegative(dot(p, "maxConcurrentStreams"), h.GetMaxConcurrentStreams())
		f.optionalDuration(dot(p, "idleTimeout"), h.GetIdleTimeout())
		if h.GetH2UpgradePolicy() == networking.ConnectionPoolSettings_HTTPSettings_UPGRADE && h.GetUseClientProtocol() {
			f.errorf(dot(p, "useClientProtocol"), "cannot be true when h2UpgradePolicy is UPGRADE")
		}
	}
	if t := cp.GetTcp(); t != nil {
		p := dot(path, "tcp")
		f.nonNegative(dot(p, "maxConnections"), t.GetMaxConnections())
		f.optionalDuration(dot(p, "connectTimeout"), t.GetConnectTimeout())
		f.optionalDuration(dot(p, "maxConnectionDuration"), t.GetMaxConnectionDuration())
		f.optionalDuration(dot(p, "idleTimeout"), t.GetIdleTimeout())
		f.optionalDuration(dot(p, "tcpKeepalive.time"), t.GetTcpKeepalive().GetTime())
		f.optionalDuration(dot(p, "tcpKeepalive.interval"), t.GetTcpKeepalive().GetInterval())
	}
}

func (f *findings) outlierDetection(path string, od *networking.OutlierDetection) {
	if od == nil {
		return
	}
	f.optionalDuration(dot(path, "baseEjectionTime"), od.GetBaseEjectionTime())
	f.optionalDuration(dot(path, "interval"), od.GetInterval())
	//lint:ignore SA1019 consecutiveErrors is deprecated but still part of the API.
	if od.GetConsecutiveErrors() != 0 {
		f.warnf(dot(path, "consecutiveErrors"), "deprecated; use consecutive5xxErrors or consecutiveGatewayErrors")
	}
	if !od.GetSplitExternalLocalOriginErrors() && od.GetConsecutiveLocalOriginFailures().GetValue() > 0 {
		f.errorf(dot(path, "consecutiveLocalOriginFailures"), "has no effect unless splitExternalLocalOriginErrors is true")
	}
	for _, pc := range []struct {
		name string
		v    int32
	}{{"maxEjectionPercent", od.GetMaxEjectionPercent()}, {"minHealthPercent", od.GetMinHealthPercent()}} {
		if pc.v < 0 || pc.v > 100 {
			f.errorf(dot(path, pc.name), "%d must be between 0 and 100", pc.v)
		}
	}
}

// clientTLS checks a DestinationRule's TLS settings towards the upstream.
func (f *findings) clientTLS(path string, t *networking.ClientTLSSettings) {
	if t == nil {
		return
	}
	hasFiles := t.GetClientCertificate() != "" || t.GetPrivateKey() != "" || t.GetCaCertificates() != "" || t.GetCaCrl() != ""
	switch t.GetMode() {
	case networking.ClientTLSSettings_SIMPLE, networking.ClientTLSSettings_MUTUAL:
		if t.GetCredentialName() != "" {
			if hasFiles {
				f.errorf(path, "with credentialName, clientCertificate, privateKey, caCertificates and caCrl must not be set")
			}
			return
		}
		if t.GetMode() == networking.ClientTLSSettings_MUTUAL {
			if t.GetClientCertificate() == "" {
				f.errorf(dot(path, "clientCertificate"), "required for MUTUAL TLS")
			}
			if t.GetPrivateKey() == "" {
				f.errorf(dot(path, "privateKey"), "required for MUTUAL TLS")
			}
		}
	case networking.ClientTLSSettings_ISTIO_MUTUAL:
		if hasFiles || t.GetCredentialName() != "" {
			f.warnf(path, "ISTIO_MUTUAL uses the mesh's certificates; certificate files and credentialName are ignored")
		}
	}
}

func (f *findings) nonNegative(path string, v int32) {
	if v < 0 {
		f.errorf(path, "%d must not be negative", v)
	}
}

func (f *findings) optionalDuration(path string, d *durationpb.Duration) {
	if d != nil {
		f.check(path, validateDuration(d.AsDuration()))
	}
}
