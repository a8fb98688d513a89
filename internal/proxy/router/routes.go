package router

import (
	"fmt"
	"math/rand/v2"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// Routes is one route configuration compiled against the live clusters:
// the domain index plus, per route, its destinations resolved to cluster
// pointers and its header mutations flattened, so a request does no map
// lookup beyond the authority.
type Routes struct {
	Table   *route.Table
	targets [][]Target // [virtual host][route]
	// Warnings lists config the data path could not apply in full.
	Warnings []string
}

// Target is a matched route with everything precomputed for it.
type Target struct {
	VH    *route.VirtualHost
	Route *route.Route
	// Dests parallels Route.Forward.Clusters; nil unless the route forwards.
	Dests []Dest
	// split chooses among several weighted Dests; nil for one.
	split *splitter
	// Response mutations for redirects and direct responses (route, vhost).
	Response   []*route.HeaderMutation
	H1Response *http1.ResponseEdit
}

// Dest is one weighted destination of a forwarding route.
type Dest struct {
	Name string
	// Cluster is nil when the config names a cluster that does not exist.
	Cluster *upstream.Cluster
	// Request and Response are the header mutations to apply, in order:
	// weighted cluster, route, virtual host. Later layers win.
	Request  []*route.HeaderMutation
	Response []*route.HeaderMutation
	// H1Request and H1Response are the same mutations for the HTTP/1.1 codec.
	H1Request  []*http1.HeaderEdits
	H1Response []*http1.HeaderEdits
}

// ClusterLookup resolves a cluster name to the live cluster (nil if none).
type ClusterLookup func(name string) *upstream.Cluster

// Compile builds Routes for cfg. Call it once per config change.
func Compile(cfg *route.Config, lookup ClusterLookup) *Routes {
	return CompileTable(route.Compile(cfg), lookup)
}

// CompileTable resolves an already compiled table (shared between configs
// when the route configuration did not change) against the clusters.
func CompileTable(t *route.Table, lookup ClusterLookup) *Routes {
	rs := &Routes{Table: t, targets: make([][]Target, len(t.Config.VirtualHosts))}
	for i, vh := range t.Config.VirtualHosts {
		rs.targets[i] = make([]Target, len(vh.Routes))
		for j, r := range vh.Routes {
			warn := func(msg string) {
				rs.Warnings = append(rs.Warnings, fmt.Sprintf("route config %q virtual host %q route %d: %s", t.Config.Name, vh.Name, j, msg))
			}
			rs.targets[i][j] = compileTarget(vh, r, lookup, warn)
		}
	}
	return rs
}

func compileTarget(vh *route.VirtualHost, r *route.Route, lookup ClusterLookup, warn func(string)) Target {
	t := Target{VH: vh, Route: r, Response: layers(&r.ResponseHeaders, &vh.ResponseHeaders)}
	t.H1Response = &http1.ResponseEdit{Headers: h1Edits(t.Response, warn)}
	if r.Forward == nil {
		return t
	}
	t.Dests = make([]Dest, len(r.Forward.Clusters))
	t.split = newSplitter(r.Forward)
	for k := range r.Forward.Clusters {
		wc := &r.Forward.Clusters[k]
		d := Dest{
			Name:     wc.Name,
			Cluster:  lookup(wc.Name),
			Request:  layers(&wc.RequestHeaders, &r.RequestHeaders, &vh.RequestHeaders),
			Response: layers(&wc.ResponseHeaders, &r.ResponseHeaders, &vh.ResponseHeaders),
		}
		d.H1Request, d.H1Response = h1Edits(d.Request, warn), h1Edits(d.Response, warn)
		t.Dests[k] = d
	}
	return t
}

// layers keeps the non-empty mutations, in order.
func layers(ms ...*route.HeaderMutation) []*route.HeaderMutation {
	var out []*route.HeaderMutation
	for _, m := range ms {
		if len(m.Set)+len(m.Add)+len(m.Remove) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// Find returns the target for req, or nil when no route matches.
func (rs *Routes) Find(req route.Request) *Target {
	vi, ri := rs.Table.Locate(req)
	if ri < 0 {
		return nil
	}
	return &rs.targets[vi][ri]
}

// Pick chooses a destination of a forwarding target: by the target's
// shuffled rounds when it has several weighted destinations, else by a random
// draw (weights too fine-grained for rounds).
func (t *Target) Pick() *Dest {
	if t.split != nil {
		return &t.Dests[t.split.pick()]
	}
	return &t.Dests[t.Route.Forward.PickIndex(rand.Uint32())]
}
