package config

import (
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
)

// ValidateObject checks one object on its own, with the rules Istio's
// validation webhook applies, and returns its problems sorted by field.
// Errors reject the object; warnings leave it in service.
func ValidateObject(o *Object) []Problem {
	f := newFindings(o)
	f.checkMetadata(o)
	switch spec := o.Spec.(type) {
	case *networking.VirtualService:
		f.virtualService(spec)
	case *networking.DestinationRule:
		f.destinationRule(spec)
	case *networking.Gateway:
		f.gateway(o.Name, spec)
	case *networking.ServiceEntry:
		f.serviceEntry(spec)
	case *networking.WorkloadEntry:
		f.workloadEntry("spec", spec, nil)
	case *networking.Sidecar:
		f.sidecar(o.Namespace, spec)
	case *security.PeerAuthentication:
		f.peerAuthentication(spec)
	case *security.AuthorizationPolicy:
		f.authorizationPolicy(spec)
	case *security.RequestAuthentication:
		f.requestAuthentication(spec)
	}
	return sortProblems(f.problems)
}

// checkMetadata applies Kubernetes' rules for names, namespaces and labels.
func (f *findings) checkMetadata(o *Object) {
	if !isDNS1123Subdomain(o.Name) {
		f.errorf("metadata.name", "%q must be a lowercase DNS name (letters, digits, '-' and '.')", o.Name)
	}
	if !isDNS1123Label(o.Namespace) {
		f.errorf("metadata.namespace", "%q must be a DNS label (lowercase letters, digits and '-')", o.Namespace)
	}
	f.checkLabels("metadata.labels", o.Labels)
}
