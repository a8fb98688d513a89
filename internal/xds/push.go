package xds

import (
	"sync"

	"github.com/loom-mesh/loom/internal/config"
	"github.com/loom-mesh/loom/internal/registry"
)

// RootNamespace holds mesh-wide defaults: its selector-less Sidecar applies to
// namespaces that have none, and its DestinationRules to every namespace.
const RootNamespace = "istio-system"

// Push is one generation of xDS: the config and registry it was built from,
// indexed once, and the resources built so far. A Push is immutable as seen
// from outside and safe for concurrent use: Generate may be called for any
// number of proxies at once. Resources are built on first use and memoized,
// so every proxy that needs an identical resource gets the same *Resource.
type Push struct {
	// Config and Registry are the push's inputs; never modify them.
	Config   *config.Snapshot
	Registry *registry.Snapshot
	// Sequence counts pushes: the first is 1, each NewPush with a previous
	// push adds one.
	Sequence uint64

	vs        vsIndex
	dr        drIndex
	sidecars  sidecarIndex
	analysis  []config.Problem
	resources *resourceCache
	scopes    *memo[scopeKey, *scope]
	// serviceClusters are shared by the push's scopes.
	serviceClusters *memo[serviceClustersKey, *serviceClusters]
	sidecarOf       *memo[*registry.Workload, *config.Object]

	mu       sync.Mutex
	reported map[config.Problem]bool // found while generating
}

// NewPush indexes cfg and reg for generation. prev, the push this one
// replaces (nil for the first), lends its resources: anything whose inputs
// did not change is reused as the same *Resource rather than rebuilt, so
// after an endpoint change only that service's ClusterLoadAssignments are new.
// NewPush keeps no reference to prev itself; prev stays usable.
func NewPush(cfg *config.Snapshot, reg *registry.Snapshot, prev *Push) *Push {
	p := &Push{
		Config:          cfg,
		Registry:        reg,
		Sequence:        1,
		vs:              newVSIndex(cfg),
		dr:              newDRIndex(cfg),
		sidecars:        newSidecarIndex(cfg, RootNamespace),
		scopes:          newMemo[scopeKey, *scope](),
		serviceClusters: newMemo[serviceClustersKey, *serviceClusters](),
		sidecarOf:       newMemo[*registry.Workload, *config.Object](),
		reported:        make(map[config.Problem]bool),
	}
	var prevResources *resourceCache
	if prev != nil {
		p.Sequence = prev.Sequence + 1
		prevResources = prev.resources
	}
	p.resources = newResourceCache(prevResources)
	p.analysis = p.analyze()
	return p
}

// Problems returns what the push found wrong with its inputs — references to
// hosts that do not exist, Sidecar imports that match nothing, rules that lose
// to others — plus anything found while generating so far, sorted. These are
// not config validation errors (those never reach a push): they describe
// config that is valid but does not do what it says.
func (p *Push) Problems() []config.Problem {
	p.mu.Lock()
	out := append([]config.Problem(nil), p.analysis...)
	for pr := range p.reported {
		out = append(out, pr)
	}
	p.mu.Unlock()
	sortProblems(out)
	return dedupeProblems(out)
}

// report records a problem found while generating.
func (p *Push) report(pr config.Problem) {
	p.mu.Lock()
	p.reported[pr] = true
	p.mu.Unlock()
}
