// Package snapshot is the proxy's whole accepted configuration at one moment:
// validated listeners, routes, clusters and endpoints in plain Go structs.
// The xDS client builds a new Snapshot for every accepted change; the data path
// swaps it in atomically. A Snapshot is never modified once published.
package snapshot

import (
	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// Snapshot is immutable; maps may be shared between successive snapshots when
// their type did not change, so never write to them.
type Snapshot struct {
	Listeners map[string]*listener.Config
	// Routes are RDS route configurations by name (inline ones live on their listener).
	Routes   map[string]*route.Config
	Clusters map[string]*cluster.Config
	// Endpoints are EDS assignments by cluster service name.
	Endpoints map[string]*cluster.Endpoints
	// Versions are the last accepted version_info per type URL.
	Versions map[string]string
}

// Sink receives each new Snapshot. Apply must not block on the network; the
// xDS client calls it from one goroutine at a time.
type Sink interface {
	Apply(*Snapshot)
}
