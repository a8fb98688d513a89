// Package xdsclient is the proxy's side of xDS: one ADS stream (state of the
// world by default, delta as an option) to the control plane that subscribes
// to clusters and listeners (wildcard) and to the endpoints and route
// configurations they name, decodes and validates every resource into the
// proxy's plain structs, ACKs or NACKs each response, warms new resources,
// and publishes each consistent configuration to a snapshot.Sink. When the
// control plane goes away the last configuration keeps serving while the
// client reconnects with backoff. See docs/proxy-xds.md.
package xdsclient

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// Defaults.
const (
	// DefaultInitialFetchTimeout is how long a new resource may wait for what
	// it depends on before it is published anyway (Envoy's initial_fetch_timeout).
	DefaultInitialFetchTimeout = 15 * time.Second
	// DefaultNACKRepeatDelay spaces out NACKs of a response version the client
	// already NACKed: a state-of-the-world server answers a NACK by resending.
	DefaultNACKRepeatDelay = time.Second
)

// Config configures a Client.
type Config struct {
	// ControlPlane is the ADS server's host:port.
	ControlPlane string
	Node         NodeConfig
	// Sink receives every published snapshot, from the Run goroutine.
	Sink snapshot.Sink
	// Delta selects the incremental protocol (DeltaAggregatedResources).
	Delta bool
	// InitialFetchTimeout bounds warming; 0 means DefaultInitialFetchTimeout.
	InitialFetchTimeout time.Duration
	// Backoff between reconnection attempts; zero fields take the defaults.
	Backoff Backoff
	// NACKRepeatDelay; 0 means DefaultNACKRepeatDelay.
	NACKRepeatDelay time.Duration
	// DialOptions replace the default (plaintext) gRPC dial options.
	DialOptions []grpc.DialOption
	Logger      *slog.Logger
}

// NodeConfig is how the proxy identifies itself (docs/xds.md).
type NodeConfig struct {
	// IP is the workload's address.
	IP        netip.Addr
	Workload  string
	Namespace string
	// Labels are optional workload labels (node metadata LABELS).
	Labels map[string]string
	// Version is reported as the node's user_agent_version.
	Version string
}

// Validate reports the first missing or malformed field.
func (c *Config) Validate() error {
	if c.ControlPlane == "" {
		return errors.New("control plane address: required")
	}
	if c.Sink == nil {
		return errors.New("sink: required")
	}
	return c.Node.Validate()
}

// Validate checks the node identity.
func (n NodeConfig) Validate() error {
	switch {
	case !n.IP.IsValid():
		return errors.New("node ip: required")
	case n.Workload == "":
		return errors.New("node workload: required")
	case n.Namespace == "":
		return errors.New("node namespace: required")
	}
	return nil
}

// ID is the node id: `sidecar~<ip>~<workload>.<namespace>~<namespace>.svc.cluster.local`.
func (n NodeConfig) ID() string {
	return xdsmeta.NodeID{Type: xdsmeta.NodeSidecar, IP: n.IP, Workload: n.Workload, Namespace: n.Namespace}.String()
}

// Proto builds the xDS Node the client presents.
func (n NodeConfig) Proto() (*corev3.Node, error) {
	md := map[string]any{
		xdsmeta.MetaNamespace:        n.Namespace,
		xdsmeta.MetaWorkloadName:     n.Workload,
		xdsmeta.MetaInterceptionMode: xdsmeta.InterceptionNone,
	}
	if len(n.Labels) > 0 {
		labels := map[string]any{}
		for k, v := range n.Labels {
			labels[k] = v
		}
		md[xdsmeta.MetaLabels] = labels
	}
	meta, err := structpb.NewStruct(md)
	if err != nil {
		return nil, fmt.Errorf("node metadata: %w", err)
	}
	return &corev3.Node{
		Id:                   n.ID(),
		Cluster:              n.Workload + "." + n.Namespace,
		Metadata:             meta,
		UserAgentName:        "loom",
		UserAgentVersionType: &corev3.Node_UserAgentVersion{UserAgentVersion: n.Version},
	}, nil
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.InitialFetchTimeout <= 0 {
		out.InitialFetchTimeout = DefaultInitialFetchTimeout
	}
	if out.NACKRepeatDelay <= 0 {
		out.NACKRepeatDelay = DefaultNACKRepeatDelay
	}
	out.Backoff = out.Backoff.withDefaults()
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}
