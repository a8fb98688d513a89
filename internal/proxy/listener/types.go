// Package listener holds the proxy's plain, validated form of an Envoy Listener
// and the code that decodes one from xDS. The data path never sees protos.
package listener

import (
	"net/netip"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/route"
)

// Direction is the listener's traffic direction.
type Direction int

// Directions.
const (
	Outbound Direction = iota
	Inbound
)

func (d Direction) String() string {
	if d == Inbound {
		return "inbound"
	}
	return "outbound"
}

// Config is one validated listener.
type Config struct {
	Name      string
	Address   netip.AddrPort
	Direction Direction
	// Chain is the listener's single filter chain; exactly one of HTTP and TCP is set.
	Chain FilterChain
	// Workload is the identity the control plane attached to an inbound listener
	// (metadata.filter_metadata["istio"]); zero for outbound listeners.
	Workload WorkloadInfo
}

// FilterChain is what the proxy does with an accepted connection.
type FilterChain struct {
	HTTP *HTTPConnectionManager
	TCP  *TCPProxy
}

// Codec is the HCM codec_type.
type Codec int

// Codecs.
const (
	CodecAuto Codec = iota // HTTP/1.1, or HTTP/2 when the client sends the h2 preface
	CodecHTTP1
	CodecHTTP2
)

// HTTPConnectionManager is envoy.filters.network.http_connection_manager.
type HTTPConnectionManager struct {
	StatPrefix string
	Codec      Codec
	// Exactly one of RouteConfigName (RDS) and InlineRoutes is set.
	RouteConfigName string
	InlineRoutes    *route.Config
	// FaultFilter is true when envoy.filters.http.fault is in the filter list,
	// so routes' fault configs apply.
	FaultFilter bool
	// StreamIdleTimeout, RequestTimeout: 0 means Envoy's default (5 min) / none.
	// The decoder fills the default; an xDS 0s (disabled) stream idle timeout
	// decodes to math.MaxInt64 (xdsdecode.Disabled), which never elapses.
	StreamIdleTimeout time.Duration
	RequestTimeout    time.Duration
	// MaxRequestHeadersKB bounds the request head (Envoy default 60).
	MaxRequestHeadersKB uint32
}

// TCPProxy is envoy.filters.network.tcp_proxy.
type TCPProxy struct {
	StatPrefix  string
	Cluster     string
	IdleTimeout time.Duration // 0: Envoy's default, 1 hour (filled by the decoder); xDS 0s (disabled) decodes to math.MaxInt64
}

// WorkloadInfo names the workload behind an inbound listener, for telemetry.
type WorkloadInfo struct {
	// Address is the workload's own address (its WorkloadEntry address); a proxy
	// started without --ip learns it here.
	Address        netip.Addr
	Workload       string
	Namespace      string
	Service        string
	App            string
	Version        string
	ServiceAccount string
}
