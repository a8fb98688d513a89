package config

import "testing"

func TestValidateSecurity(t *testing.T) {
	const (
		pa = "PeerAuthentication default/p: "
		ap = "AuthorizationPolicy default/a: "
		ra = "RequestAuthentication default/r: "
	)
	runValidationCases(t, []validationCase{
		{"peer authentication", obj("PeerAuthentication", "p", "{selector: {matchLabels: {app: a}}, mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}}}"), nil},
		{"port-level mTLS needs a selector", obj("PeerAuthentication", "p", "{portLevelMtls: {8080: {mode: DISABLE}}}"),
			[]string{pa + "spec.portLevelMtls: needs a selector: namespace- and mesh-wide policies cannot set port-level mTLS"}},
		{"port-level mTLS ports", obj("PeerAuthentication", "p", "{selector: {matchLabels: {app: a}}, portLevelMtls: {0: {mode: DISABLE}}}"),
			[]string{pa + "spec.portLevelMtls.0: port must be between 1 and 65535"}},
		{"bad mtls mode", obj("PeerAuthentication", "p", "{mtls: {mode: ON}}"),
			[]string{pa + `spec.mtls.mode: invalid value true (YAML reads unquoted on/off/yes/no as booleans: quote it): must be one of UNSET, DISABLE, PERMISSIVE, STRICT`}},
		{"authorization policy", obj("AuthorizationPolicy", "a", "{selector: {matchLabels: {app: reviews}}, action: ALLOW, rules: [{from: [{source: {principals: ['cluster.local/ns/default/sa/productpage']}}], to: [{operation: {methods: [GET], ports: ['9080']}}], when: [{key: 'request.headers[version]', values: [v1]}]}]}"), nil},
		{"deny without rules", obj("AuthorizationPolicy", "a", "{action: DENY}"),
			[]string{ap + "spec.rules: a DENY policy without rules never applies; add an empty rule {} to match every request"}},
		{"custom without provider", obj("AuthorizationPolicy", "a", "{action: CUSTOM, rules: [{}]}"),
			[]string{ap + "spec.provider.name: required with action CUSTOM"}},
		{"rule contents", obj("AuthorizationPolicy", "a", "{rules: [{from: [], to: [{operation: {ports: ['0', x]}}, {}], when: [{key: source.ip}, {values: [a]}]}, {from: [{source: {ipBlocks: [10.0.0.0/33], principals: ['']}}]}]}"),
			[]string{
				ap + `spec.rules[0].to[0].operation.ports[0]: "0" must be a port number between 1 and 65535`,
				ap + `spec.rules[0].to[0].operation.ports[1]: "x" must be a port number between 1 and 65535`,
				ap + "spec.rules[0].to[1].operation: required",
				ap + `spec.rules[0].when[0]: at least one of values and notValues is required for key "source.ip"`,
				ap + "spec.rules[0].when[1].key: required",
				ap + `spec.rules[1].from[0].source.ipBlocks[0]: "10.0.0.0/33" is not a valid CIDR block`,
				ap + "spec.rules[1].from[0].source.principals[0]: must not be empty",
			}},
		{"request authentication", obj("RequestAuthentication", "r", "{jwtRules: [{issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/jwks', audiences: [app]}]}"), nil},
		{"jwt rules", obj("RequestAuthentication", "r", "{jwtRules: [{jwksUri: 'ftp://x', audiences: [''], fromHeaders: [{prefix: 'Bearer '}], timeout: 0s}]}"),
			[]string{
				ra + "spec.jwtRules[0].audiences[0]: must not be empty",
				ra + "spec.jwtRules[0].fromHeaders[0].name: required",
				ra + "spec.jwtRules[0].issuer: required",
				ra + `spec.jwtRules[0].jwksUri: "ftp://x" must be an http or https URL`,
				ra + "spec.jwtRules[0].timeout: duration 0s must be at least 1ms",
			}},
	})
}
