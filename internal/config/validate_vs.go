package config

import (
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

// meshGateway is the reserved gateway name for the sidecars of the mesh.
const meshGateway = "mesh"

func (f *findings) virtualService(vs *networking.VirtualService) {
	toMesh := appliesToMesh(vs.GetGateways())
	if len(vs.GetHosts()) == 0 {
		f.errorf("spec.hosts", "at least one host is required (delegate VirtualServices are not supported)")
	}
	for i, h := range vs.GetHosts() {
		f.vsHost(index("spec.hosts", i), h, toMesh)
	}
	f.duplicateHosts(vs.GetHosts())
	f.gatewayNames("spec.gateways", vs.GetGateways())
	if len(vs.GetHttp()) == 0 && len(vs.GetTcp()) == 0 && len(vs.GetTls()) == 0 {
		f.errorf("spec", "at least one of http, tcp or tls routes is required")
	}
	for i, r := range vs.GetHttp() {
		f.httpRoute(index("spec.http", i), r)
	}
	f.unreachableHTTPRoutes(vs.GetHttp())
	for i, r := range vs.GetTcp() {
		f.tcpRoute(index("spec.tcp", i), r)
	}
	for i, r := range vs.GetTls() {
		f.tlsRoute(index("spec.tls", i), r, vs.GetHosts())
	}
	f.exportTo("spec.exportTo", vs.GetExportTo())
}

// appliesToMesh reports whether routes bound to these gateways apply to sidecars.
func appliesToMesh(gateways []string) bool {
	if len(gateways) == 0 {
		return true
	}
	for _, g := range gateways {
		if g == meshGateway {
			return true
		}
	}
	return false
}

func (f *findings) vsHost(path, host string, toMesh bool) {
	if err := validateWildcardHost(host); err != nil {
		if !isIP(host) {
			f.errorf(path, "%v", err)
		}
		return
	}
	if host == "*" && toMesh {
		f.errorf(path, "the wildcard host * is not allowed for routes that apply to the mesh (no gateways, or gateway \"mesh\")")
	}
}

// duplicateHosts reports hosts listed twice, or covered by a wildcard of the same VirtualService.
func (f *findings) duplicateHosts(hosts []string) {
	for i := range hosts {
		for j := i + 1; j < len(hosts); j++ {
			if hostMatches(hosts[i], hosts[j]) || hostMatches(hosts[j], hosts[i]) {
				f.errorf(index("spec.hosts", j), "duplicate of host %q", hosts[i])
			}
		}
	}
}

// hostMatches reports whether pattern (possibly `*.suffix` or `*`) covers host.
func hostMatches(pattern, host string) bool {
	if pattern == host || pattern == "*" {
		return true
	}
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(host, suffix) && len(host) > len(suffix)
	}
	return false
}

// gatewayNames checks references to gateways: `mesh`, `name`, or `namespace/name`.
func (f *findings) gatewayNames(path string, names []string) {
	for i, g := range names {
		p := index(path, i)
		ns, name, qualified := strings.Cut(g, "/")
		switch {
		case g == meshGateway:
		case !qualified && strings.Contains(g, "."):
			f.warnf(p, "legacy gateway name form %q; prefer namespace/name", g)
			f.check(p, validateFQDN(g))
		case !qualified:
			if !isDNS1123Label(g) {
				f.errorf(p, "gateway name %q must be a DNS label", g)
			}
		case !isDNS1123Label(ns) || !isDNS1123Label(name):
			f.errorf(p, "gateway %q must be namespace/name, both DNS labels", g)
		}
	}
}

// exportTo accepts ".", "*" or namespace names, without repeats.
func (f *findings) exportTo(path string, list []string) {
	seen := map[string]bool{}
	for i, e := range list {
		p := index(path, i)
		if e != "." && e != "*" && e != "~" && !isDNS1123Label(e) {
			f.errorf(p, "%q must be \".\", \"*\" or a namespace", e)
		}
		if seen[e] {
			f.errorf(p, "duplicate entry %q", e)
		}
		seen[e] = true
	}
	if seen["*"] && len(list) > 1 {
		f.errorf(path, "\"*\" exports everywhere; it cannot be combined with other entries")
	}
}
