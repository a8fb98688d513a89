package registry

import "strings"

// Protocol is an Istio port protocol, upper case: HTTP, HTTP2, GRPC, TCP, ...
type Protocol string

// Protocols Loom treats specially. Any other value is carried as declared.
const (
	ProtocolHTTP    Protocol = "HTTP"
	ProtocolHTTP2   Protocol = "HTTP2"
	ProtocolGRPC    Protocol = "GRPC"
	ProtocolGRPCWeb Protocol = "GRPC-WEB"
	ProtocolTCP     Protocol = "TCP"
)

// ProtocolOf returns a port's protocol: the declared one when set, else the
// one its name announces as Istio's `<protocol>[-<suffix>]` convention says
// (`http-web` is HTTP), else TCP.
func ProtocolOf(declared, portName string) Protocol {
	if p, ok := DeclaredProtocol(declared, portName); ok {
		return p
	}
	return ProtocolTCP
}

// DeclaredProtocol is ProtocolOf without the TCP fallback: ok is false when
// neither the protocol field nor the port name says what the port speaks.
func DeclaredProtocol(declared, portName string) (Protocol, bool) {
	if declared != "" {
		return Protocol(strings.ToUpper(declared)), true
	}
	prefix, _, _ := strings.Cut(portName, "-")
	switch p := Protocol(strings.ToUpper(prefix)); p {
	case ProtocolHTTP, ProtocolHTTP2, ProtocolGRPC, ProtocolGRPCWeb, ProtocolTCP:
		return p, true
	}
	return "", false
}

// IsHTTP reports whether the proxy handles the port as HTTP (1.1, 2 or gRPC).
func (p Protocol) IsHTTP() bool {
	switch p {
	case ProtocolHTTP, ProtocolHTTP2, ProtocolGRPC, ProtocolGRPCWeb:
		return true
	}
	return false
}

// IsHTTP2 reports whether upstream connections must speak HTTP/2.
func (p Protocol) IsHTTP2() bool { return p == ProtocolHTTP2 || p == ProtocolGRPC }
