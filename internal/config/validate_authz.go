package config

import (
	"strconv"
	"strings"

	security "istio.io/api/security/v1beta1"
)

func (f *findings) authorizationPolicy(ap *security.AuthorizationPolicy) {
	if sel := ap.GetSelector(); sel != nil {
		f.selector("spec.selector.matchLabels", sel.GetMatchLabels())
	}
	action := ap.GetAction()
	switch {
	case action == security.AuthorizationPolicy_CUSTOM && ap.GetProvider().GetName() == "":
		f.errorf("spec.provider.name", "required with action CUSTOM")
	case action != security.AuthorizationPolicy_CUSTOM && ap.GetProvider() != nil:
		f.errorf("spec.provider", "allowed only with action CUSTOM")
	}
	if ap.GetRules() == nil && (action == security.AuthorizationPolicy_DENY || action == security.AuthorizationPolicy_CUSTOM) {
		f.errorf("spec.rules", "a %s policy without rules never applies; add an empty rule {} to match every request", action)
	}
	for i, r := range ap.GetRules() {
		f.authzRule(index("spec.rules", i), r)
	}
}

func (f *findings) authzRule(p string, r *security.Rule) {
	for i, from := range r.GetFrom() {
		fp := index(dot(p, "from"), i)
		if from.GetSource() == nil {
			f.errorf(dot(fp, "source"), "required")
			continue
		}
		f.authzSource(dot(fp, "source"), from.GetSource())
	}
	for i, to := range r.GetTo() {
		tp := index(dot(p, "to"), i)
		if to.GetOperation() == nil {
			f.errorf(dot(tp, "operation"), "required")
			continue
		}
		f.authzOperation(dot(tp, "operation"), to.GetOperation())
	}
	for i, c := range r.GetWhen() {
		cp := index(dot(p, "when"), i)
		if c.GetKey() == "" {
			f.errorf(dot(cp, "key"), "required")
		} else if len(c.GetValues()) == 0 && len(c.GetNotValues()) == 0 {
			f.errorf(cp, "at least one of values and notValues is required for key %q", c.GetKey())
		}
	}
}

func (f *findings) authzSource(p string, s *security.Source) {
	lists := map[string][]string{
		"principals": s.GetPrincipals(), "notPrincipals": s.GetNotPrincipals(),
		"requestPrincipals": s.GetRequestPrincipals(), "notRequestPrincipals": s.GetNotRequestPrincipals(),
		"namespaces": s.GetNamespaces(), "notNamespaces": s.GetNotNamespaces(),
		"ipBlocks": s.GetIpBlocks(), "notIpBlocks": s.GetNotIpBlocks(),
		"remoteIpBlocks": s.GetRemoteIpBlocks(), "notRemoteIpBlocks": s.GetNotRemoteIpBlocks(),
	}
	f.authzLists(p, lists, "a source must set at least one field")
	for name, list := range lists {
		if strings.HasSuffix(strings.ToLower(name), "ipblocks") {
			for i, b := range list {
				f.check(index(dot(p, name), i), validateIPOrCIDR(b))
			}
		}
	}
}

func (f *findings) authzOperation(p string, op *security.Operation) {
	lists := map[string][]string{
		"hosts": op.GetHosts(), "notHosts": op.GetNotHosts(), "ports": op.GetPorts(), "notPorts": op.GetNotPorts(),
		"methods": op.GetMethods(), "notMethods": op.GetNotMethods(), "paths": op.GetPaths(), "notPaths": op.GetNotPaths(),
	}
	f.authzLists(p, lists, "an operation must set at least one field")
	for _, name := range []string{"ports", "notPorts"} {
		for i, port := range lists[name] {
			n, err := strconv.Atoi(port)
			if err != nil || n < 1 || n > 65535 {
				f.errorf(index(dot(p, name), i), "%q must be a port number between 1 and 65535", port)
			}
		}
	}
}

// authzLists reports an all-empty source or operation, and empty strings in its lists.
func (f *findings) authzLists(p string, lists map[string][]string, emptyReason string) {
	set := false
	for name, list := range lists {
		set = set || len(list) > 0
		for i, v := range list {
			if v == "" {
				f.errorf(index(dot(p, name), i), "must not be empty")
			}
		}
	}
	if !set {
		f.errorf(p, "%s", emptyReason)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
