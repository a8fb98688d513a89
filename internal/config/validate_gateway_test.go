package config

import "testing"

func gw(spec string) string { return obj("Gateway", "gw", spec) }

const gwPrefix = "Gateway default/gw: "

func TestValidateGateway(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"https with credential", gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['bookinfo/*.example.com'], tls: {mode: SIMPLE, credentialName: cert}}]}"), nil},
		{"no servers, no selector", gw("{}"),
			[]string{
				"warning: " + gwPrefix + "spec.selector: no selector: the Gateway applies to every gateway workload",
				gwPrefix + "spec.servers: at least one server is required",
			}},
		{"server fields", gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 80, protocol: HTTP}}, {hosts: ['a.com']}, {port: {number: 0, name: x, protocol: BAD}, hosts: ['Bad/x.com'], bind: nowhere}]}"),
			[]string{
				gwPrefix + "spec.servers[0].hosts: at least one host is required",
				gwPrefix + "spec.servers[0].port.name: required",
				gwPrefix + "spec.servers[1].port: required",
				gwPrefix + `spec.servers[2].bind: "nowhere" is not an IP address or unix://PATH`,
				gwPrefix + `spec.servers[2].hosts[0]: "Bad/x.com": namespace "Bad" must be *, ., ~ or a namespace name`,
				gwPrefix + "spec.servers[2].port.number: port number 0 must be between 1 and 65535",
				gwPrefix + `spec.servers[2].port.protocol: unknown protocol "BAD": use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL or UDP`,
			}},
		{"duplicate port names", gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}, {port: {number: 8080, name: http, protocol: HTTP}, hosts: ['*']}]}"),
			[]string{gwPrefix + `spec.servers[1].port.name: port name "http" is used by another server`}},
		{"tls required and certificates", gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*']}, {port: {number: 8443, name: tls, protocol: TLS}, hosts: ['*'], tls: {mode: MUTUAL, serverCertificate: /c.pem}}, {port: {number: 9443, name: im, protocol: HTTPS}, hosts: ['*'], tls: {mode: ISTIO_MUTUAL, privateKey: /k.pem}}]}"),
			[]string{
				gwPrefix + "spec.servers[0].tls: required for HTTPS servers",
				gwPrefix + "spec.servers[1].tls.caCertificates: required for MUTUAL TLS (or set credentialName)",
				gwPrefix + "spec.servers[1].tls.privateKey: required for MUTUAL TLS (or set credentialName)",
				gwPrefix + "spec.servers[2].tls: ISTIO_MUTUAL uses the mesh's certificates; certificate files and credentials must not be set",
			}},
		{"tls on plain ports", gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*'], tls: {httpsRedirect: true}}, {port: {number: 81, name: http2, protocol: HTTP}, hosts: ['*'], tls: {mode: SIMPLE, credentialName: c}}, {port: {number: 5432, name: tcp, protocol: TCP}, hosts: ['*'], tls: {httpsRedirect: true}}]}"),
			[]string{
				gwPrefix + "spec.servers[1].tls: a plain-text HTTP server may only set httpsRedirect",
				gwPrefix + "spec.servers[2].tls: not allowed on a TCP server",
				"warning: " + gwPrefix + "spec.servers[2].tls.httpsRedirect: only has an effect on HTTP servers",
			}},
		{"name with a dot", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: my.gw}\nspec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]}\n",
			[]string{"Gateway default/my.gw: metadata.name: a Gateway's name must be a DNS label (no dots)"}},
	})
}
