package config

import "testing"

func sidecar(name, spec string) string { return obj("Sidecar", name, spec) }

const scPrefix = "Sidecar default/s: "

func TestValidateSidecar(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"local mode sidecar", sidecar("s", `{workloadSelector: {labels: {app: productpage}},
  ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: '127.0.0.1:20701'}],
  egress: [{port: {number: 9080, protocol: HTTP, name: http-egress}, bind: 127.7.2.1, captureMode: NONE, hosts: [./reviews.default.svc.cluster.local, ./details.default.svc.cluster.local]},
           {hosts: ['istio-system/*', '~/*']}]}`), nil},
		{"empty", sidecar("s", "{workloadSelector: {labels: {app: a}}}"),
			[]string{scPrefix + "spec: empty Sidecar: set egress, ingress, outboundTrafficPolicy or inboundConnectionPool"}},
		{"egress hosts", sidecar("s", "{egress: [{hosts: [reviews, 'Bad/x', './', '*/*.svc.cluster.local']}]}"),
			[]string{
				scPrefix + `spec.egress[0].hosts[0]: "reviews" must be namespace/dnsName (e.g. ./reviews.default.svc.cluster.local or istio-system/*)`,
				scPrefix + `spec.egress[0].hosts[1]: "Bad/x": namespace "Bad" must be *, ., ~ or a namespace name`,
				scPrefix + `spec.egress[0].hosts[2]: "./": neither the namespace nor the dnsName may be empty`,
			}},
		{"egress without hosts", sidecar("s", "{egress: [{port: {number: 80, protocol: HTTP, name: http}}]}"),
			[]string{scPrefix + "spec.egress[0].hosts: at least one host is required"}},
		{"egress port, bind and capture mode", sidecar("s", "{egress: [{port: {number: 70000, protocol: QUIC, name: Web}, bind: localhost, captureMode: NONE, hosts: ['./*']}, {port: {number: 0}, bind: 127.0.0.1, captureMode: IPTABLES, hosts: ['./*']}]}"),
			[]string{
				scPrefix + `spec.egress[0].bind: "localhost" is not an IP address`,
				scPrefix + `spec.egress[0].port.name: port name "Web" must be a DNS label (lowercase letters, digits and '-')`,
				scPrefix + "spec.egress[0].port.number: port number 70000 must be between 1 and 65535",
				scPrefix + `spec.egress[0].port.protocol: unknown protocol "QUIC": use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL or UDP`,
				scPrefix + "spec.egress[1].bind: port 0 needs a unix://PATH bind",
				scPrefix + "spec.egress[1].captureMode: must be DEFAULT or NONE for a unix socket listener",
			}},
		{"egress port unique per bind", sidecar("s", "{egress: [{port: {number: 80}, bind: 127.0.0.2, hosts: ['./a']}, {port: {number: 80}, bind: 127.0.0.3, hosts: ['./b']}, {port: {number: 80}, bind: 127.0.0.2, hosts: ['./c']}]}"),
			[]string{scPrefix + `spec.egress[2].port.number: another egress listener already uses port 80 on bind "127.0.0.2"`}},
		{"catch-all egress must be last", sidecar("s", "{egress: [{hosts: ['./*']}, {port: {number: 80}, hosts: ['./a']}]}"),
			[]string{scPrefix + "spec.egress[0]: the egress listener without a port must be the last one (and there can be only one)"}},
		{"bad capture mode", sidecar("s", "{egress: [{captureMode: MAGIC, hosts: ['./*']}]}"),
			[]string{scPrefix + `spec.egress[0].captureMode: invalid value "MAGIC": must be one of DEFAULT, IPTABLES, NONE`}},
		{"default endpoints", sidecar("s", `{ingress: [
  {port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: '0.0.0.0:8080'},
  {port: {number: 9081, protocol: HTTP, name: h1}, defaultEndpoint: '[::1]:8081'},
  {port: {number: 9082, protocol: HTTP, name: h2}, defaultEndpoint: 'unix:///var/run/app.sock'},
  {port: {number: 9083, protocol: HTTP, name: h3}, defaultEndpoint: '10.1.1.1:8080'},
  {port: {number: 9084, protocol: HTTP, name: h4}, defaultEndpoint: '127.0.0.1'},
  {port: {number: 9085, protocol: HTTP, name: h5}, defaultEndpoint: '127.0.0.1:http'},
  {port: {number: 9086, protocol: HTTP, name: h6}, defaultEndpoint: 'unix://app.sock'}]}`),
			[]string{
				scPrefix + `spec.ingress[3].defaultEndpoint: "10.1.1.1:8080": the host must be 127.0.0.1, 0.0.0.0, [::1] or [::] (or use unix://PATH)`,
				scPrefix + `spec.ingress[4].defaultEndpoint: "127.0.0.1" must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix://PATH`,
				scPrefix + `spec.ingress[5].defaultEndpoint: "127.0.0.1:http": port "http" is not a number`,
				scPrefix + "spec.ingress[6].defaultEndpoint: app.sock is not an absolute path to a socket file",
			}},
		{"ingress ports", sidecar("s", "{ingress: [{defaultEndpoint: '127.0.0.1:80'}, {port: {number: 80, protocol: HTTP}}, {port: {number: 80, protocol: HTTP}, bind: nope}]}"),
			[]string{
				scPrefix + "spec.ingress[0].port: required for ingress listeners",
				scPrefix + `spec.ingress[2].bind: "nope" is not an IP address`,
				scPrefix + "spec.ingress[2].port.number: port 80 is already used by another ingress listener",
			}},
		{"selector wildcard", sidecar("s", "{workloadSelector: {labels: {app: '*'}}, egress: [{hosts: ['./*']}]}"),
			[]string{
				scPrefix + "spec.workloadSelector.labels.app: empty keys and wildcards are not allowed in a selector",
				scPrefix + `spec.workloadSelector.labels.app: label value "*" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
			}},
		{"one selector-less sidecar per namespace", sidecar("a", "{egress: [{hosts: ['./*']}]}") + sidecar("b", "{egress: [{hosts: ['./*']}]}") +
			sidecar("c", "{workloadSelector: {labels: {app: c}}, egress: [{hosts: ['./*']}]}"),
			[]string{
				"Sidecar default/a: spec.workloadSelector: namespace default has 2 Sidecars without a workloadSelector (a, b); at most one is allowed",
				"Sidecar default/b: spec.workloadSelector: namespace default has 2 Sidecars without a workloadSelector (a, b); at most one is allowed",
			}},
	})
}
