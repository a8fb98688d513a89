package xds

import (
	"github.com/loom-mesh/loom/internal/registry"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// Proxy is what the generator needs to know about one connected proxy: who it
// says it is in its xDS node (docs/xds.md). The xDS server builds one per
// connection and may reuse it for every push; Generate never modifies it.
type Proxy struct {
	// ID is the parsed node id; ID.Namespace is the proxy's namespace and
	// ID.IP its workload's address.
	ID xdsmeta.NodeID
	// Workload names the WorkloadEntry the proxy serves (WORKLOAD_NAME metadata,
	// else the node id's workload).
	Workload string
	// InterceptionMode is xdsmeta.InterceptionNone ("" means the same) or
	// xdsmeta.InterceptionRedirect.
	InterceptionMode string
	// Labels are the node's LABELS metadata, used when the registry does not
	// know the workload; the WorkloadEntry's labels win.
	Labels map[string]string
}

// Namespace is the proxy's namespace.
func (p *Proxy) Namespace() string { return p.ID.Namespace }

// identity is a proxy as one push sees it: its node plus what the registry
// knows about its workload.
type identity struct {
	proxy    *Proxy
	workload *registry.Workload // nil when the registry does not know it
	labels   map[string]string
	address  string
}

func (p *Push) identify(proxy *Proxy) identity {
	id := identity{proxy: proxy, labels: proxy.Labels}
	if proxy.ID.IP.IsValid() {
		id.address = proxy.ID.IP.String()
	}
	if w := p.Registry.Workload(proxy.Namespace(), proxy.Workload); w != nil {
		id.workload, id.labels = w, w.Labels
		if w.Address != "" {
			id.address = w.Address
		}
	}
	return id
}
