package config

import (
	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
)

// Istio API groups Loom reads.
const (
	groupNetworking = "networking.istio.io"
	groupSecurity   = "security.istio.io"
)

// kindGroup returns the API group of a kind Loom reads, or "" for any other kind.
func kindGroup(k Kind) string {
	switch k {
	case KindVirtualService, KindDestinationRule, KindGateway, KindServiceEntry,
		KindWorkloadEntry, KindSidecar:
		return groupNetworking
	case KindPeerAuthentication, KindAuthorizationPolicy, KindRequestAuthentication:
		return groupSecurity
	}
	return ""
}

// newSpec returns an empty istio.io/api message for a kind Loom reads.
// networking v1 and v1beta1 alias v1alpha3, security v1 aliases v1beta1.
func newSpec(k Kind) proto.Message {
	switch k {
	case KindVirtualService:
		return &networking.VirtualService{}
	case KindDestinationRule:
		return &networking.DestinationRule{}
	case KindGateway:
		return &networking.Gateway{}
	case KindServiceEntry:
		return &networking.ServiceEntry{}
	case KindWorkloadEntry:
		return &networking.WorkloadEntry{}
	case KindSidecar:
		return &networking.Sidecar{}
	case KindPeerAuthentication:
		return &security.PeerAuthentication{}
	case KindAuthorizationPolicy:
		return &security.AuthorizationPolicy{}
	case KindRequestAuthentication:
		return &security.RequestAuthentication{}
	}
	return nil
}

// versionAccepted reports whether apiVersion group/version is one Loom reads for group.
// The versions of one group share a schema.
func versionAccepted(group, version string) bool {
	switch group {
	case groupNetworking:
		return version == "v1" || version == "v1beta1" || version == "v1alpha3"
	case groupSecurity:
		return version == "v1" || version == "v1beta1"
	}
	return false
}

// AllKinds lists the kinds Loom reads, in a fixed order.
func AllKinds() []Kind {
	return []Kind{
		KindVirtualService, KindDestinationRule, KindGateway, KindServiceEntry,
		KindWorkloadEntry, KindSidecar,
		KindPeerAuthentication, KindAuthorizationPolicy, KindRequestAuthentication,
	}
}
