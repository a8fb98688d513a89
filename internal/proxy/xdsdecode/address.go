package xdsdecode

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

// SocketAddress accepts an Address that is a TCP socket_address with a
// numeric port 1..65535 and returns its host (an IP or a hostname) and port.
func SocketAddress(a *corev3.Address) (string, uint16, error) {
	sa := a.GetSocketAddress()
	if sa == nil {
		return "", 0, Errorf("", "want socket_address")
	}
	if err := OnlyFields(sa, "protocol", "address", "port_value"); err != nil {
		return "", 0, At(err, "socket_address")
	}
	if sa.GetProtocol() != corev3.SocketAddress_TCP {
		return "", 0, Errorf("socket_address.protocol", "%s: only TCP is supported", sa.GetProtocol())
	}
	port := sa.GetPortValue()
	if port == 0 || port > 65535 {
		return "", 0, Errorf("socket_address.port_value", "%d: must be 1..65535", port)
	}
	return sa.GetAddress(), uint16(port), nil
}
