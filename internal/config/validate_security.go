package config

import (
	"net/url"
	"strings"

	security "istio.io/api/security/v1beta1"
)

// selector checks a workload selector's labels: no empty keys, no wildcards.
func (f *findings) selector(p string, labels map[string]string) {
	if len(labels) == 0 {
		f.warnf(p, "a selector without labels selects every workload in the namespace")
	}
	for k, v := range labels {
		if k == "" || strings.Contains(k, "*") || strings.Contains(v, "*") {
			f.errorf(mapKey(p, k), "empty keys and wildcards are not allowed in a selector")
		}
	}
	f.checkLabels(p, labels)
}

func (f *findings) peerAuthentication(pa *security.PeerAuthentication) {
	if sel := pa.GetSelector(); sel != nil {
		f.selector("spec.selector.matchLabels", sel.GetMatchLabels())
	}
	if len(pa.GetSelector().GetMatchLabels()) == 0 && len(pa.GetPortLevelMtls()) > 0 {
		f.errorf("spec.portLevelMtls", "needs a selector: namespace- and mesh-wide policies cannot set port-level mTLS")
	}
	for port := range pa.GetPortLevelMtls() {
		if port == 0 || port > 65535 {
			f.errorf(mapKey("spec.portLevelMtls", itoa(int64(port))), "port must be between 1 and 65535")
		}
	}
}

func (f *findings) requestAuthentication(ra *security.RequestAuthentication) {
	if sel := ra.GetSelector(); sel != nil {
		f.selector("spec.selector.matchLabels", sel.GetMatchLabels())
	}
	for i, r := range ra.GetJwtRules() {
		p := index("spec.jwtRules", i)
		if r.GetIssuer() == "" {
			f.errorf(dot(p, "issuer"), "required")
		}
		for j, a := range r.GetAudiences() {
			if a == "" {
				f.errorf(index(dot(p, "audiences"), j), "must not be empty")
			}
		}
		if u := r.GetJwksUri(); u != "" {
			f.check(dot(p, "jwksUri"), validateJwksURI(u))
		}
		for j, h := range r.GetFromHeaders() {
			if h.GetName() == "" {
				f.errorf(dot(index(dot(p, "fromHeaders"), j), "name"), "required")
			}
		}
		for j, o := range r.GetOutputClaimToHeaders() {
			if o.GetClaim() == "" || !headerNamePattern.MatchString(o.GetHeader()) {
				f.errorf(index(dot(p, "outputClaimToHeaders"), j), "needs a claim and a valid header name")
			}
		}
		f.optionalDuration(dot(p, "timeout"), r.GetTimeout())
	}
}

func validateJwksURI(u string) error {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return errorf("%q must be an http or https URL", u)
	}
	return nil
}
