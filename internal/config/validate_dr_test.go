package config

import "testing"

func dr(spec string) string { return obj("DestinationRule", "reviews", spec) }

const drPrefix = "DestinationRule default/reviews: "

func TestValidateDestinationRule(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"valid", dr("{host: reviews, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}, connectionPool: {tcp: {maxConnections: 100, connectTimeout: 30ms}, http: {http1MaxPendingRequests: 10, idleTimeout: 3s}}, tls: {mode: ISTIO_MUTUAL}}, subsets: [{name: v1, labels: {version: v1}}]}"), nil},
		{"missing host", dr("{subsets: [{name: v1, labels: {version: v1}}]}"),
			[]string{drPrefix + "spec.host: required"}},
		{"bad host", dr("{host: 'reviews..default'}"),
			[]string{drPrefix + `spec.host: "reviews..default" is not a valid host (label "": lowercase letters, digits and '-')`}},
		{"duplicate and bad subset names", dr("{host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v1, labels: {version: v2}}, {name: V3, labels: {version: v3}}, {labels: {version: v4}}]}"),
			[]string{
				drPrefix + `spec.subsets[1].name: duplicate subset name "v1"`,
				drPrefix + `spec.subsets[2].name: "V3" must be a DNS label (lowercase letters, digits and '-')`,
				drPrefix + "spec.subsets[3].name: required",
			}},
		{"subset labels", dr("{host: reviews, subsets: [{name: v1}, {name: v2, labels: {version: 'not valid'}}]}"),
			[]string{
				"warning: " + drPrefix + `spec.subsets[0].labels: no labels: subset "v1" selects every endpoint of the host`,
				drPrefix + `spec.subsets[1].labels.version: label value "not valid" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
			}},
		{"empty traffic policy", dr("{host: reviews, trafficPolicy: {}}"),
			[]string{drPrefix + "spec.trafficPolicy: a traffic policy must set at least one field"}},
		{"bad load balancer", dr("{host: reviews, trafficPolicy: {loadBalancer: {simple: FASTEST}}}"),
			[]string{drPrefix + `spec.trafficPolicy.loadBalancer.simple: invalid value "FASTEST": must be one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST`}},
		{"consistent hash", dr("{host: reviews, trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {ttl: 1s}}}}}"),
			[]string{drPrefix + "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name: required"}},
		{"connection pool values", dr("{host: reviews, trafficPolicy: {connectionPool: {tcp: {maxConnections: -1, connectTimeout: 0s}, http: {maxRetries: -2, h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}}"),
			[]string{
				drPrefix + "spec.trafficPolicy.connectionPool.http.maxRetries: -2 must not be negative",
				drPrefix + "spec.trafficPolicy.connectionPool.http.useClientProtocol: cannot be true when h2UpgradePolicy is UPGRADE",
				drPrefix + "spec.trafficPolicy.connectionPool.tcp.connectTimeout: duration 0s must be at least 1ms",
				drPrefix + "spec.trafficPolicy.connectionPool.tcp.maxConnections: -1 must not be negative",
			}},
		{"empty connection pool", dr("{host: reviews, trafficPolicy: {connectionPool: {}}}"),
			[]string{drPrefix + "spec.trafficPolicy.connectionPool: a connection pool must set http or tcp"}},
		{"outlier detection", dr("{host: reviews, trafficPolicy: {outlierDetection: {maxEjectionPercent: 150, interval: 1m}}}"),
			[]string{drPrefix + "spec.trafficPolicy.outlierDetection.maxEjectionPercent: 150 must be between 0 and 100"}},
		{"tls modes", dr("{host: reviews, trafficPolicy: {tls: {mode: MUTUAL}}, subsets: [{name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: SIMPLE, credentialName: c, caCertificates: /ca.pem}}}]}"),
			[]string{
				drPrefix + "spec.subsets[0].trafficPolicy.tls: with credentialName, clientCertificate, privateKey, caCertificates and caCrl must not be set",
				drPrefix + "spec.trafficPolicy.tls.clientCertificate: required for MUTUAL TLS",
				drPrefix + "spec.trafficPolicy.tls.privateKey: required for MUTUAL TLS",
			}},
		{"port level settings", dr("{host: reviews, trafficPolicy: {portLevelSettings: [{port: {number: 0}, loadBalancer: {simple: RANDOM}}, {port: {number: 80}}]}}"),
			[]string{
				drPrefix + "spec.trafficPolicy.portLevelSettings[0].port.number: port number 0 must be between 1 and 65535",
				drPrefix + "spec.trafficPolicy.portLevelSettings[1]: a port traffic policy must set at least one of loadBalancer, connectionPool, outlierDetection or tls",
			}},
	})
}
