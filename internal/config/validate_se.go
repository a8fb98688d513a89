package config

import (
	"errors"
	"fmt"
	"path"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

func (f *findings) serviceEntry(se *networking.ServiceEntry) {
	if sel := se.GetWorkloadSelector(); sel != nil {
		f.selector("spec.workloadSelector.labels", sel.GetLabels())
		if len(se.GetEndpoints()) > 0 {
			f.errorf("spec.workloadSelector", "only one of workloadSelector and endpoints may be set")
		}
	}
	if len(se.GetHosts()) == 0 {
		f.errorf("spec.hosts", "at least one host is required")
	}
	for i, h := range se.GetHosts() {
		f.seHost(index("spec.hosts", i), h)
	}
	f.seAddresses(se)
	ports := f.sePorts(se.GetPorts())
	f.seResolution(se, ports)
	f.seMultipleHosts(se)
	f.exportTo("spec.exportTo", se.GetExportTo())
}

func (f *findings) seHost(p, h string) {
	switch {
	case h == "*":
		f.errorf(p, "the wildcard * is not allowed in a ServiceEntry")
	case validateWildcardHost(h) != nil:
		f.check(p, validateWildcardHost(h))
	case strings.HasPrefix(h, "*") && !strings.HasPrefix(h, "*."):
		f.warnf(p, "partial wildcard %q: only *.domain wildcards are matched as wildcards", h)
	}
}

func (f *findings) seAddresses(se *networking.ServiceEntry) {
	cidr := false
	for i, a := range se.GetAddresses() {
		cidr = cidr || strings.Contains(a, "/")
		f.check(index("spec.addresses", i), validateIPOrCIDR(a))
	}
	r := se.GetResolution()
	if cidr && r != networking.ServiceEntry_NONE && r != networking.ServiceEntry_STATIC {
		f.errorf("spec.addresses", "CIDR blocks are allowed only with resolution NONE or STATIC")
	}
}

// sePorts checks the service ports and returns their names.
func (f *findings) sePorts(ports []*networking.ServicePort) map[string]bool {
	names := map[string]bool{}
	numbers := map[uint32]bool{}
	for i, port := range ports {
		p := index("spec.ports", i)
		f.check(dot(p, "number"), validatePort(int64(port.GetNumber())))
		f.check(dot(p, "name"), validatePortName(port.GetName()))
		if port.GetProtocol() != "" {
			f.check(dot(p, "protocol"), validateProtocol(port.GetProtocol()))
		}
		if port.GetTargetPort() != 0 {
			f.check(dot(p, "targetPort"), validatePort(int64(port.GetTargetPort())))
		}
		if names[port.GetName()] {
			f.errorf(dot(p, "name"), "port name %q is already defined", port.GetName())
		}
		if numbers[port.GetNumber()] {
			f.errorf(dot(p, "number"), "port %d is already defined", port.GetNumber())
		}
		names[port.GetName()], numbers[port.GetNumber()] = true, true
	}
	return names
}

// seResolution applies the rules that tie resolution to endpoints, selectors and hosts.
func (f *findings) seResolution(se *networking.ServiceEntry, ports map[string]bool) {
	eps := se.GetEndpoints()
	switch r := se.GetResolution(); r {
	case networking.ServiceEntry_NONE:
		if len(eps) > 0 {
			f.errorf("spec.endpoints", "endpoints are not allowed with resolution NONE")
		}
		if se.GetWorkloadSelector() != nil {
			f.warnf("spec.workloadSelector", "has no effect with resolution NONE")
		}
	case networking.ServiceEntry_STATIC:
		if len(eps) == 0 && se.GetWorkloadSelector() == nil {
			f.warnf("spec.resolution", "STATIC with neither endpoints nor workloadSelector: the service has no endpoints")
		}
		for i, ep := range eps {
			f.workloadEntry(index("spec.endpoints", i), ep, ports)
		}
	case networking.ServiceEntry_DNS, networking.ServiceEntry_DNS_ROUND_ROBIN:
		if len(eps) == 0 {
			for i, h := range se.GetHosts() {
				if validateFQDN(h) != nil {
					f.errorf(index("spec.hosts", i), "with resolution %s and no endpoints, hosts must be DNS names without wildcards", r)
				}
			}
		}
		if r == networking.ServiceEntry_DNS_ROUND_ROBIN && len(eps) > 1 {
			f.errorf("spec.endpoints", "resolution DNS_ROUND_ROBIN allows at most one endpoint")
		}
		if se.GetWorkloadSelector() != nil {
			f.warnf("spec.workloadSelector", "has no effect with resolution %s", r)
		}
		for i, ep := range eps {
			f.workloadEntry(index("spec.endpoints", i), ep, ports)
		}
	}
}

// seMultipleHosts: plain TCP cannot tell several hosts apart.
func (f *findings) seMultipleHosts(se *networking.ServiceEntry) {
	if se.GetResolution() == networking.ServiceEntry_NONE || len(se.GetHosts()) < 2 {
		return
	}
	for i, port := range se.GetPorts() {
		if !isHTTPProtocol(port.GetProtocol()) && !isTLSProtocol(port.GetProtocol()) {
			f.errorf(index("spec.ports", i), "several hosts with a non-HTTP, non-TLS port: connections cannot be told apart by host")
			return
		}
	}
}

func isHTTPProtocol(p string) bool {
	switch strings.ToUpper(p) {
	case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY":
		return true
	}
	return false
}

func isTLSProtocol(p string) bool {
	switch strings.ToUpper(p) {
	case "HTTPS", "TLS":
		return true
	}
	return false
}

// workloadEntry checks a WorkloadEntry spec, or a ServiceEntry endpoint (then
// servicePorts names the ports an endpoint may map).
func (f *findings) workloadEntry(p string, we *networking.WorkloadEntry, servicePorts map[string]bool) {
	addr := we.GetAddress()
	unix := strings.HasPrefix(addr, unixPrefix)
	switch {
	case addr == "" && we.GetNetwork() != "":
		f.warnf(dot(p, "address"), "not set; reachable only through network %q's gateway", we.GetNetwork())
	case addr == "":
		f.errorf(dot(p, "address"), "required")
	case unix:
		f.check(dot(p, "address"), validateUnixPath(strings.TrimPrefix(addr, unixPrefix)))
		if len(we.GetPorts()) > 0 {
			f.errorf(dot(p, "ports"), "a unix socket endpoint has no ports")
		}
	case !isIP(addr) && validateFQDN(addr) != nil:
		f.errorf(dot(p, "address"), "%q is not an IP address, a DNS name or unix://path", addr)
	}
	for name, port := range we.GetPorts() {
		pp := mapKey(dot(p, "ports"), name)
		f.check(pp, validatePortName(name))
		f.check(pp, validatePort(int64(port)))
		if servicePorts != nil && !servicePorts[name] {
			f.errorf(pp, "the ServiceEntry defines no port named %q", name)
		}
	}
	f.checkLabels(dot(p, "labels"), we.GetLabels())
	if sa := we.GetServiceAccount(); sa != "" && !isDNS1123Subdomain(sa) {
		f.errorf(dot(p, "serviceAccount"), "%q must be a lowercase DNS name", sa)
	}
	if l := we.GetLocality(); l != "" {
		f.check(dot(p, "locality"), validateLocality(l))
	}
}

const unixPrefix = "unix://"

// validateUnixPath accepts an absolute socket path or an abstract socket (@name).
func validateUnixPath(p string) error {
	switch {
	case p == "":
		return errors.New("unix socket path must not be empty")
	case strings.HasPrefix(p, "@"):
		return nil
	case !path.IsAbs(p) || strings.HasSuffix(p, "/"):
		return fmt.Errorf("%s is not an absolute path to a socket file", p)
	}
	return nil
}

// validateLocality accepts region[/zone[/subzone]], each part non-empty.
func validateLocality(l string) error {
	parts := strings.Split(l, "/")
	if len(parts) > 3 {
		return fmt.Errorf("locality %q has more than region/zone/subzone", l)
	}
	for _, part := range parts {
		if part == "" || strings.Contains(part, "*") {
			return fmt.Errorf("locality %q must be region/zone/subzone with non-empty parts and no wildcards", l)
		}
	}
	return nil
}
