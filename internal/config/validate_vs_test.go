package config

import "testing"

func vs(spec string) string { return obj("VirtualService", "reviews", spec) }

// route wraps one HTTP route's fields into a VirtualService for host reviews.
func route(fields string) string {
	return vs("{hosts: [reviews], http: [{" + fields + "}]}")
}

const toReviews = "route: [{destination: {host: reviews}}]"

func TestValidateVirtualService(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"valid", route(toReviews), nil},
		{"missing hosts", vs("{http: [{" + toReviews + "}]}"),
			[]string{"VirtualService default/reviews: spec.hosts: at least one host is required (delegate VirtualServices are not supported)"}},
		{"bad host", vs("{hosts: [Reviews_1], http: [{" + toReviews + "}]}"),
			[]string{`VirtualService default/reviews: spec.hosts[0]: "Reviews_1" is not a valid host (label "Reviews_1": lowercase letters, digits and '-'; '*' only as the first label's prefix)`}},
		{"IP host", vs("{hosts: [10.0.0.1], http: [{" + toReviews + "}]}"), nil},
		{"wildcard host for the mesh", vs("{hosts: ['*'], http: [{" + toReviews + "}]}"),
			[]string{`VirtualService default/reviews: spec.hosts[0]: the wildcard host * is not allowed for routes that apply to the mesh (no gateways, or gateway "mesh")`}},
		{"wildcard host for a gateway", obj("Gateway", "gw", "{selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]}") +
			vs("{hosts: ['*'], gateways: [gw], http: [{"+toReviews+"}]}"), nil},
		{"duplicate hosts", vs("{hosts: ['*.example.com', a.example.com], gateways: [x/gw], http: [{" + toReviews + "}]}"),
			[]string{
				`VirtualService default/reviews: spec.hosts[1]: duplicate of host "*.example.com"`,
			}},
		{"bad gateway names", vs("{hosts: [reviews], gateways: [mesh, 'a/B', gw.istio-system], http: [{" + toReviews + "}]}"),
			[]string{
				`VirtualService default/reviews: spec.gateways[1]: gateway "a/B" must be namespace/name, both DNS labels`,
				`warning: VirtualService default/reviews: spec.gateways[2]: legacy gateway name form "gw.istio-system"; prefer namespace/name`,
			}},
		{"no routes at all", vs("{hosts: [reviews]}"),
			[]string{"VirtualService default/reviews: spec: at least one of http, tcp or tls routes is required"}},
		{"missing destination host", route("route: [{destination: {subset: v1}}]"),
			[]string{"VirtualService default/reviews: spec.http[0].route[0].destination.host: required"}},
		{"missing destination", route("route: [{weight: 100}]"),
			[]string{"VirtualService default/reviews: spec.http[0].route[0].destination: required"}},
		{"weight 150", route("route: [{destination: {host: reviews}, weight: 150}, {destination: {host: ratings}, weight: -50}]"),
			[]string{
				"VirtualService default/reviews: spec.http[0].route[0].weight: must be between 0 and 100",
				"VirtualService default/reviews: spec.http[0].route[1].weight: must be between 0 and 100",
			}},
		{"weights summing to 0", route("route: [{destination: {host: reviews}}, {destination: {host: ratings}}]"),
			[]string{"VirtualService default/reviews: spec.http[0].route: the weights sum to 0: no destination would receive traffic"}},
		{"weights not summing to 100", route("route: [{destination: {host: reviews}, weight: 30}, {destination: {host: ratings}, weight: 30}]"),
			[]string{"warning: VirtualService default/reviews: spec.http[0].route: the weights sum to 60, not 100: each destination receives weight/60 of the traffic"}},
		{"single destination weight is free", route("route: [{destination: {host: reviews}, weight: 20}]"), nil},
		{"destination port", route("route: [{destination: {host: reviews, port: {number: 70000}}}]"),
			[]string{"VirtualService default/reviews: spec.http[0].route[0].destination.port.number: port number 70000 must be between 1 and 65535"}},
		{"destination wildcard and bad subset", route("route: [{destination: {host: '*', subset: V1}}]"),
			[]string{
				"VirtualService default/reviews: spec.http[0].route[0].destination.host: the wildcard * is not a destination; name a service",
				`VirtualService default/reviews: spec.http[0].route[0].destination.subset: "V1" must be a DNS label (lowercase letters, digits and '-')`,
			}},
		{"no action", route("timeout: 1s"),
			[]string{"VirtualService default/reviews: spec.http[0]: one of route, redirect or directResponse is required"}},
		{"timeout below 1ms", route(toReviews + ", timeout: 100us"),
			[]string{"VirtualService default/reviews: spec.http[0].timeout: duration 100µs must be at least 1ms"}},
		{"timeout not whole ms", route(toReviews + ", timeout: 1500100us"),
			[]string{"VirtualService default/reviews: spec.http[0].timeout: duration 1.5001s: only whole milliseconds are supported"}},
		{"unreachable route", vs("{hosts: [reviews], http: [{" + toReviews + "}, {" + toReviews + "}]}"),
			[]string{"warning: VirtualService default/reviews: spec.http[1]: never used: spec.http[0] before it matches every request"}},
		{"tcp route", vs("{hosts: [reviews], tcp: [{match: [{port: 0, destinationSubnets: [10.0.0.0/8, nope]}], route: [{destination: {host: reviews, port: {number: 9080}}}]}, {}]}"),
			[]string{
				`VirtualService default/reviews: spec.tcp[0].match[0].destinationSubnets[1]: "nope" is not a valid IP address`,
				"VirtualService default/reviews: spec.tcp[1].route: at least one destination is required",
			}},
		{"tls route", vs("{hosts: ['*.example.com'], gateways: [mesh], tls: [{match: [{sniHosts: [a.example.com, b.other.com]}], route: [{destination: {host: a.example.com}}]}, {route: [{destination: {host: a.example.com}}]}]}"),
			[]string{
				`VirtualService default/reviews: spec.tls[0].match[0].sniHosts[1]: SNI host "b.other.com" is not covered by any of the VirtualService's hosts`,
				"VirtualService default/reviews: spec.tls[1].match: at least one match with sniHosts is required",
			}},
		{"exportTo", vs("{hosts: [reviews], exportTo: ['*', '.', Bad], http: [{" + toReviews + "}]}"),
			[]string{
				`VirtualService default/reviews: spec.exportTo: "*" exports everywhere; it cannot be combined with other entries`,
				`VirtualService default/reviews: spec.exportTo[2]: "Bad" must be ".", "*" or a namespace`,
			}},
		{"delegate", route("delegate: {name: other}"),
			[]string{"VirtualService default/reviews: spec.http[0].delegate: delegating to another VirtualService is not supported by Loom yet"}},
		{"bad name and namespace", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: Reviews, namespace: my.ns}\nspec: {hosts: [reviews], http: [{" + toReviews + "}]}\n",
			[]string{
				`VirtualService my.ns/Reviews: metadata.name: "Reviews" must be a lowercase DNS name (letters, digits, '-' and '.')`,
				`VirtualService my.ns/Reviews: metadata.namespace: "my.ns" must be a DNS label (lowercase letters, digits and '-')`,
			}},
	})
}
