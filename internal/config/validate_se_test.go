package config

import "testing"

func se(spec string) string { return obj("ServiceEntry", "svc", spec) }
func we(spec string) string { return obj("WorkloadEntry", "w1", spec) }

const (
	sePrefix = "ServiceEntry default/svc: "
	wePrefix = "WorkloadEntry default/w1: "
)

func TestValidateServiceEntry(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"static with selector", se("{hosts: [reviews.default.svc.cluster.local], location: MESH_INTERNAL, ports: [{number: 9080, name: http, protocol: HTTP}], resolution: STATIC, workloadSelector: {labels: {app: reviews}}}"), nil},
		{"static with endpoints", se("{hosts: [db.internal], ports: [{number: 5432, name: tcp-pg, protocol: TCP}], resolution: STATIC, endpoints: [{address: 10.0.0.1}, {address: 10.0.0.2, ports: {tcp-pg: 15432}}]}"), nil},
		{"dns external", se("{hosts: [api.example.com], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: DNS, location: MESH_EXTERNAL}"), nil},
		{"no hosts", se("{ports: [{number: 80, name: http, protocol: HTTP}], resolution: NONE}"),
			[]string{sePrefix + "spec.hosts: at least one host is required"}},
		{"bad hosts", se("{hosts: ['*', 'Bad', '*foo.com'], ports: [{number: 80, name: http, protocol: HTTP}], resolution: NONE}"),
			[]string{
				sePrefix + "spec.hosts[0]: the wildcard * is not allowed in a ServiceEntry",
				sePrefix + `spec.hosts[1]: "Bad" is not a valid host (label "Bad": lowercase letters, digits and '-'; '*' only as the first label's prefix)`,
				"warning: " + sePrefix + `spec.hosts[2]: partial wildcard "*foo.com": only *.domain wildcards are matched as wildcards`,
			}},
		{"ports unique by number and name", se("{hosts: [a.example.com], resolution: DNS, ports: [{number: 80, name: http, protocol: HTTP}, {number: 80, name: http2, protocol: HTTP2}, {number: 81, name: http, protocol: HTTP}]}"),
			[]string{
				sePrefix + "spec.ports[1].number: port 80 is already defined",
				sePrefix + `spec.ports[2].name: port name "http" is already defined`,
			}},
		{"port fields", se("{hosts: [a.example.com], resolution: DNS, ports: [{number: 0, name: Web, protocol: QUIC, targetPort: 70000}]}"),
			[]string{
				sePrefix + `spec.ports[0].name: port name "Web" must be a DNS label (lowercase letters, digits and '-')`,
				sePrefix + "spec.ports[0].number: port number 0 must be between 1 and 65535",
				sePrefix + `spec.ports[0].protocol: unknown protocol "QUIC": use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL or UDP`,
				sePrefix + "spec.ports[0].targetPort: port number 70000 must be between 1 and 65535",
			}},
		{"selector and endpoints", se("{hosts: [a.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, workloadSelector: {labels: {app: a}}, endpoints: [{address: 10.0.0.1}]}"),
			[]string{sePrefix + "spec.workloadSelector: only one of workloadSelector and endpoints may be set"}},
		{"endpoints with resolution NONE", se("{hosts: [a.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: NONE, endpoints: [{address: 10.0.0.1}]}"),
			[]string{sePrefix + "spec.endpoints: endpoints are not allowed with resolution NONE"}},
		{"dns with wildcard host and no endpoints", se("{hosts: ['*.example.com'], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}"),
			[]string{sePrefix + "spec.hosts[0]: with resolution DNS and no endpoints, hosts must be DNS names without wildcards"}},
		{"dns round robin with two endpoints", se("{hosts: [a.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS_ROUND_ROBIN, endpoints: [{address: a1.example.com}, {address: a2.example.com}]}"),
			[]string{sePrefix + "spec.endpoints: resolution DNS_ROUND_ROBIN allows at most one endpoint"}},
		{"endpoint addresses and ports", se("{hosts: [a.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, endpoints: [{address: 'not an address'}, {address: 10.0.0.1, ports: {grpc: 9000}}, {}]}"),
			[]string{
				sePrefix + `spec.endpoints[0].address: "not an address" is not an IP address, a DNS name or unix://path`,
				sePrefix + `spec.endpoints[1].ports.grpc: the ServiceEntry defines no port named "grpc"`,
				sePrefix + "spec.endpoints[2].address: required",
			}},
		{"addresses", se("{hosts: [a.example.com], addresses: [10.0.0.0/8, 300.1.1.1], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}"),
			[]string{
				sePrefix + "spec.addresses: CIDR blocks are allowed only with resolution NONE or STATIC",
				sePrefix + `spec.addresses[1]: "300.1.1.1" is not a valid IP address`,
			}},
		{"several hosts on a TCP port", se("{hosts: [a.example.com, b.example.com], ports: [{number: 5432, name: tcp, protocol: TCP}], resolution: DNS}"),
			[]string{sePrefix + "spec.ports[0]: several hosts with a non-HTTP, non-TLS port: connections cannot be told apart by host"}},
		{"static without endpoints", se("{hosts: [a.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC}"),
			[]string{"warning: " + sePrefix + "spec.resolution: STATIC with neither endpoints nor workloadSelector: the service has no endpoints"}},
	})
}

func TestValidateWorkloadEntry(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"valid", we("{address: 127.0.1.3, ports: {http: 9080}, labels: {app: reviews, version: v1}, serviceAccount: reviews, locality: us-east/zone-a/rack1, weight: 3}"), nil},
		{"dns name and unix socket", we("{address: vm1.example.com}") + obj("WorkloadEntry", "w2", "{address: 'unix:///var/run/app.sock'}"), nil},
		{"missing address", we("{labels: {app: a}}"),
			[]string{wePrefix + "spec.address: required"}},
		{"address with network only", we("{network: west}"),
			[]string{"warning: " + wePrefix + `spec.address: not set; reachable only through network "west"'s gateway`}},
		{"bad address", we("{address: 'http://10.0.0.1'}"),
			[]string{wePrefix + `spec.address: "http://10.0.0.1" is not an IP address, a DNS name or unix://path`}},
		{"unix socket with ports", we("{address: 'unix://relative.sock', ports: {http: 80}}"),
			[]string{
				wePrefix + "spec.address: relative.sock is not an absolute path to a socket file",
				wePrefix + "spec.ports: a unix socket endpoint has no ports",
			}},
		{"ports", we("{address: 10.0.0.1, ports: {http: 0, Grpc: 70000}}"),
			[]string{
				wePrefix + `spec.ports.Grpc: port name "Grpc" must be a DNS label (lowercase letters, digits and '-')`,
				wePrefix + "spec.ports.Grpc: port number 70000 must be between 1 and 65535",
				wePrefix + "spec.ports.http: port number 0 must be between 1 and 65535",
			}},
		{"labels, locality, account", we("{address: 10.0.0.1, labels: {'-bad': x}, locality: 'a//b', serviceAccount: 'Not_OK'}"),
			[]string{
				wePrefix + `spec.labels.-bad: label key "-bad" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
				wePrefix + `spec.locality: locality "a//b" must be region/zone/subzone with non-empty parts and no wildcards`,
				wePrefix + `spec.serviceAccount: "Not_OK" must be a lowercase DNS name`,
			}},
		{"locality too deep", we("{address: 10.0.0.1, locality: a/b/c/d}"),
			[]string{wePrefix + `spec.locality: locality "a/b/c/d" has more than region/zone/subzone`}},
		{"negative weight", we("{address: 10.0.0.1, weight: -1}"),
			[]string{wePrefix + "spec.weight: -1 is out of range 0..4294967295"}},
	})
}
