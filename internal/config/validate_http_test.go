package config

import "testing"

const vsPrefix = "VirtualService default/reviews: spec.http[0]."

func TestValidateHTTPMatch(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"exact, prefix and regex", route("match: [{uri: {exact: /a}}, {uri: {prefix: /b}}, {uri: {regex: '/c/[0-9]+'}, method: {exact: GET}, authority: {prefix: reviews}}], " + toReviews), nil},
		{"invalid RE2", route("match: [{uri: {regex: '(a'}}, {authority: {regex: '(?=x)'}}, {headers: {x-a: {regex: '['}}}, {queryParams: {q: {regex: ''}}}], " + toReviews),
			[]string{
				vsPrefix + "match[0].uri.regex: invalid RE2 regex: error parsing regexp: missing closing ): `(a`",
				vsPrefix + "match[1].authority.regex: invalid RE2 regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
				vsPrefix + "match[2].headers.x-a.regex: invalid RE2 regex: error parsing regexp: missing closing ]: `[`",
				vsPrefix + "match[3].queryParams.q.regex: regex must not be empty",
			}},
		{"exact and prefix together", route("match: [{uri: {exact: /a, prefix: /b}}], " + toReviews),
			[]string{vsPrefix + "match[0].uri.prefix: only one of exact and prefix may be set"}},
		{"empty uri match", route("match: [{uri: {}}], " + toReviews),
			[]string{"warning: " + vsPrefix + "match[0].uri: no exact, prefix or regex: this matches every request"}},
		{"header names", route("match: [{headers: {End-User: {exact: jason}, 'bad name': {exact: x}, present: {}}, withoutHeaders: {'x:y': {}}}], " + toReviews),
			[]string{
				`warning: ` + vsPrefix + `match[0].headers.End-User: header names are case-insensitive; "End-User" matches the header "end-user", write it in lowercase`,
				vsPrefix + `match[0].headers["bad name"]: "bad name" is not a valid header name (letters, digits, '-' and '_')`,
				vsPrefix + `match[0].withoutHeaders.x:y: "x:y" is not a valid header name (letters, digits, '-' and '_')`,
			}},
		{"match port, labels and namespace", route("match: [{port: 70000, sourceLabels: {'app/': x}, sourceNamespace: Foo}], " + toReviews),
			[]string{
				vsPrefix + `match[0].port: port number 70000 must be between 1 and 65535`,
				vsPrefix + `match[0].sourceLabels["app/"]: label key "app/" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
				vsPrefix + `match[0].sourceNamespace: "Foo" must be a namespace name`,
			}},
	})
}

func TestValidateHTTPRetriesAndTimeouts(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"valid retries", route(toReviews + ", retries: {attempts: 3, perTryTimeout: 2s, retryOn: 'gateway-error,connect-failure,503,unavailable'}"), nil},
		{"negative attempts", route(toReviews + ", retries: {attempts: -1}"),
			[]string{vsPrefix + "retries.attempts: -1 must not be negative"}},
		{"settings with attempts 0", route(toReviews + ", retries: {attempts: 0, perTryTimeout: 1s}"),
			[]string{vsPrefix + "retries.attempts: retries are disabled with attempts 0, so perTryTimeout, retryOn and retryRemoteLocalities have no effect; set attempts"}},
		{"bad retryOn and perTryTimeout", route(toReviews + ", retries: {attempts: 2, perTryTimeout: 0s, retryOn: '5xx, 999,bogus'}"),
			[]string{
				vsPrefix + "retries.perTryTimeout: duration 0s must be at least 1ms",
				vsPrefix + `retries.retryOn: " 999" is not a retry condition (e.g. 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, or an HTTP status code); separate them with commas and no spaces`,
				vsPrefix + `retries.retryOn: "bogus" is not a retry condition (e.g. 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, or an HTTP status code); separate them with commas and no spaces`,
			}},
		{"unparsable duration", route(toReviews + ", timeout: 10 seconds"),
			[]string{vsPrefix + `timeout: invalid duration "10 seconds": use a number with a unit (10s, 500ms, 1m)`}},
	})
}

func TestValidateHTTPFault(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"valid", route(toReviews + ", fault: {delay: {percentage: {value: 0.5}, fixedDelay: 7s}, abort: {percentage: {value: 100}, httpStatus: 503}}"), nil},
		{"empty fault", route(toReviews + ", fault: {}"),
			[]string{vsPrefix + "fault: a fault needs an abort, a delay, or both"}},
		{"percentages out of range", route(toReviews + ", fault: {delay: {percentage: {value: 101}, fixedDelay: 1s}, abort: {percentage: {value: 0.00001}, httpStatus: 503}}"),
			[]string{
				vsPrefix + "fault.abort.percentage.value: 1e-05 must be 0 or between 0.0001 and 100",
				vsPrefix + "fault.delay.percentage.value: 101 must be 0 or between 0.0001 and 100",
			}},
		{"legacy percent out of range", route(toReviews + ", fault: {delay: {percent: 150, fixedDelay: 1s}}"),
			[]string{
				"warning: " + vsPrefix + "fault.delay.percent: deprecated; read as percentage.value: 150",
				vsPrefix + "fault.delay.percentage.value: 150 must be 0 or between 0.0001 and 100",
			}},
		{"abort status out of range", route(toReviews + ", fault: {abort: {percentage: {value: 10}, httpStatus: 700}}"),
			[]string{vsPrefix + "fault.abort.httpStatus: HTTP status 700 is not in the range 200-599"}},
		{"abort grpc status", route(toReviews + ", fault: {abort: {percentage: {value: 10}, grpcStatus: NOPE}}"),
			[]string{vsPrefix + `fault.abort.grpcStatus: "NOPE" is not a gRPC status name (e.g. UNAVAILABLE, NOT_FOUND)`}},
		{"abort without percentage or status", route(toReviews + ", fault: {abort: {}}"),
			[]string{
				"warning: " + vsPrefix + "fault.abort: abort has no httpStatus or grpcStatus, so it does nothing",
				"warning: " + vsPrefix + "fault.abort.percentage: not set: no request is aborted",
			}},
		{"delay without fixedDelay", route(toReviews + ", fault: {delay: {percentage: {value: 5}}}"),
			[]string{vsPrefix + "fault.delay.fixedDelay: required for a delay"}},
		{"delay too short", route(toReviews + ", fault: {delay: {percentage: {value: 5}, fixedDelay: 0.1ms}}"),
			[]string{vsPrefix + "fault.delay.fixedDelay: duration 100µs must be at least 1ms"}},
	})
}

func TestValidateHTTPRewriteRedirect(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"rewrite", route(toReviews + ", rewrite: {uri: /v2, authority: reviews.v2}"), nil},
		{"rewrite and redirect", route("redirect: {uri: /x}, rewrite: {uri: /y}"),
			[]string{vsPrefix + "rewrite: a route cannot have both rewrite and redirect"}},
		{"route and redirect", route(toReviews + ", redirect: {uri: /x}"),
			[]string{vsPrefix + "redirect: a route cannot have both route and redirect"}},
		{"fault and redirect", route("redirect: {uri: /x}, fault: {delay: {fixedDelay: 1s, percentage: {value: 1}}}"),
			[]string{vsPrefix + "redirect: a route cannot have both fault and redirect"}},
		{"empty redirect", route("redirect: {redirectCode: 200}"),
			[]string{
				vsPrefix + "redirect: a redirect must set at least one of uri, authority, port, derivePort or scheme",
				vsPrefix + "redirect.redirectCode: 200 is not a redirect status (300-399)",
			}},
		{"redirect scheme and port", route("redirect: {scheme: ftp, port: 0}"),
			[]string{
				vsPrefix + "redirect.port: port number 0 must be between 1 and 65535",
				vsPrefix + `redirect.scheme: "ftp" must be http or https`,
			}},
		{"empty rewrite", route(toReviews + ", rewrite: {}"),
			[]string{vsPrefix + "rewrite: a rewrite must set uri, uriRegexRewrite or authority"}},
		{"uri and regex rewrite", route(toReviews + ", rewrite: {uri: /a, uriRegexRewrite: {match: '(', rewrite: x}}"),
			[]string{
				vsPrefix + "rewrite: only one of uri and uriRegexRewrite may be set",
				vsPrefix + "rewrite.uriRegexRewrite.match: invalid RE2 regex: error parsing regexp: missing closing ): `(`",
			}},
		{"direct response", route("directResponse: {status: 99}"),
			[]string{vsPrefix + "directResponse.status: HTTP status 99 is not in the range 200-599"}},
		{"authority twice", route(toReviews + ", rewrite: {authority: a}, headers: {request: {set: {host: b}}}"),
			[]string{vsPrefix[:len(vsPrefix)-1] + ": the authority is rewritten more than once (rewrite.authority and headers.request :authority/host)"}},
	})
}

func TestValidateHTTPHeadersMirrorCors(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"header operations", route(toReviews + ", headers: {request: {set: {x-a: '%HOSTNAME%', x-b: '100%%'}, remove: [':path', host]}, response: {add: {x-c: '50%'}}}"),
			[]string{
				vsPrefix + `headers.request.remove[0]: pseudo-header ":path" cannot be changed`,
				vsPrefix + "headers.request.remove[1]: the Host header cannot be changed here (use rewrite.authority)",
				vsPrefix + `headers.response.add.x-c: header value "50%" has an unterminated %...% substitution (write %% for a literal %)`,
			}},
		{"per-destination headers", route("route: [{destination: {host: reviews}, headers: {response: {set: {':status': '200'}}}}]"),
			[]string{vsPrefix + `route[0].headers.response.set.:status: pseudo-header ":status" cannot be changed`}},
		{"mirror", route(toReviews + ", mirror: {host: ''}, mirrorPercentage: {value: 120}"),
			[]string{
				vsPrefix + "mirror.host: required",
				vsPrefix + "mirrorPercentage.value: 120 must be between 0 and 100",
			}},
		{"cors", route(toReviews + ", corsPolicy: {allowOrigins: [{exact: ''}], allowMethods: [GET, FETCH], allowHeaders: ['*', 'a b'], maxAge: 1.5s}"),
			[]string{
				vsPrefix + "corsPolicy.allowHeaders[1]: \"a b\" is not a valid header name",
				vsPrefix + `corsPolicy.allowMethods[1]: "FETCH" is not an HTTP method`,
				vsPrefix + "corsPolicy.allowOrigins[0]: an origin needs a non-empty exact, prefix or regex",
				vsPrefix + "corsPolicy.maxAge: only whole seconds are supported",
			}},
	})
}
