package xdsserver

import (
	"context"
	"sort"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/xds"
)

// selected returns the resources of one type that a subscription covers,
// sorted by name: all of them for a wildcard subscription, else the names
// asked for that exist.
func selected(all map[string]*xds.Resource, sub cache.Subscription) []*xds.Resource {
	var out []*xds.Resource
	if sub.IsWildcard() {
		out = make([]*xds.Resource, 0, len(all))
		for _, r := range all {
			out = append(out, r)
		}
	} else {
		for name := range sub.SubscribedResources() {
			if r, ok := all[name]; ok {
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// entry is one resource ready to send: its shared Any and content version.
type entry struct {
	name    string
	any     *anypb.Any
	version string
}

// marshaled returns the shared pre-marshaled form of each resource and the
// set's version, skipping (and logging) any the generator produced broken.
func (c *conn) marshaled(rs []*xds.Resource) ([]entry, setVersion) {
	out := make([]entry, 0, len(rs))
	var v setVersion
	for _, r := range rs {
		a, ver, err := r.Marshaled()
		if err != nil {
			c.log.Error("dropping resource that does not marshal", "type", r.TypeURL, "name", r.Name, "error", err)
			continue
		}
		out = append(out, entry{name: r.Name, any: a, version: ver})
		v.add(r.Name, ver)
	}
	return out, v
}

// respondSotW sends the full selected set when its version differs from
// the one last sent on this stream. Non-wildcard types (RDS, EDS) carry only
// the names the proxy asked for, as the xDS protocol allows.
func (c *conn) respondSotW(typeURL string, ts *typeState) bool {
	w := ts.watch
	rs := selected(c.resources[typeURL], w.sub)
	if len(rs) == 0 && !w.sub.IsWildcard() && ts.sentNonce == "" {
		return false // named resources that do not exist (yet): nothing to say
	}
	entries, v := c.marshaled(rs)
	version := v.String()
	if version == ts.sentVersion && len(ts.force) == 0 {
		return false
	}
	anys := make([]*anypb.Any, len(entries))
	for i, e := range entries {
		anys[i] = e.any
	}
	return c.send(w, &sotwResponse{
		req: w.sotwReq,
		out: &discovery.DiscoveryResponse{VersionInfo: version, TypeUrl: typeURL, Resources: anys},
		ctx: c.contextFor(),
	}, nil)
}

// respondDelta sends the resources whose version differs from what the
// proxy holds (or that are forced) and the names it holds that are gone.
func (c *conn) respondDelta(typeURL string, ts *typeState) bool {
	w := ts.watch
	entries, v := c.marshaled(selected(c.resources[typeURL], w.sub))
	held := w.sub.ReturnedResources()
	next := make(map[string]string, len(entries))
	var out []*discovery.Resource
	for _, e := range entries {
		next[e.name] = e.version
		_, forced := ts.force[e.name]
		if held[e.name] != e.version || forced {
			out = append(out, &discovery.Resource{Name: e.name, Version: e.version, Resource: e.any})
		}
	}
	var removed []string
	for name := range held {
		if _, ok := next[name]; !ok {
			removed = append(removed, name)
		}
	}
	sort.Strings(removed)
	if len(out) == 0 && len(removed) == 0 && (ts.sentNonce != "" || !w.sub.IsWildcard()) {
		return false
	}
	return c.send(w, nil, &deltaResponse{
		req: w.deltaReq,
		out: &discovery.DeltaDiscoveryResponse{
			SystemVersionInfo: v.String(), TypeUrl: typeURL, Resources: out, RemovedResources: removed,
		},
		next: next,
		ctx:  c.contextFor(),
	})
}

// send hands a response to go-control-plane without blocking: the channel
// holds one slot per type and a type has at most one response in flight, so
// a full channel means a bug; the watch then stays open and the next push
// retries.
func (c *conn) send(w *watch, r cache.Response, d cache.DeltaResponse) bool {
	if w.ch != nil {
		select {
		case w.ch <- r:
			return true
		default:
		}
	} else {
		select {
		case w.deltaCh <- d:
			return true
		default:
		}
	}
	c.log.Error("xDS response channel full; response deferred to the next push", "stream", c.streamID)
	return false
}

// sotwResponse is a state-of-the-world response built from shared Anys.
type sotwResponse struct {
	req *discovery.DiscoveryRequest
	out *discovery.DiscoveryResponse
	ctx context.Context
}

var _ cache.Response = (*sotwResponse)(nil)

func (r *sotwResponse) GetDiscoveryResponse() (*discovery.DiscoveryResponse, error) {
	return r.out, nil
}
func (r *sotwResponse) GetRequest() *discovery.DiscoveryRequest { return r.req }
func (r *sotwResponse) GetVersion() (string, error)             { return r.out.VersionInfo, nil }
func (r *sotwResponse) GetResponseVersion() string              { return r.out.VersionInfo }
func (r *sotwResponse) GetContext() context.Context             { return r.ctx }

// GetReturnedResources is nil: Loom tracks what each stream was sent itself
// (typeState.sentVersion), so go-control-plane need not keep a per-name map
// for every proxy.
func (r *sotwResponse) GetReturnedResources() map[string]string { return nil }

// deltaResponse is an incremental response built from shared Anys.
type deltaResponse struct {
	req  *discovery.DeltaDiscoveryRequest
	out  *discovery.DeltaDiscoveryResponse
	next map[string]string
	ctx  context.Context
}

var _ cache.DeltaResponse = (*deltaResponse)(nil)

func (r *deltaResponse) GetDeltaDiscoveryResponse() (*discovery.DeltaDiscoveryResponse, error) {
	return r.out, nil
}
func (r *deltaResponse) GetDeltaRequest() *discovery.DeltaDiscoveryRequest { return r.req }
func (r *deltaResponse) GetSystemVersion() (string, error)                 { return r.out.SystemVersionInfo, nil }
func (r *deltaResponse) GetResponseVersion() string                        { return r.out.SystemVersionInfo }
func (r *deltaResponse) GetNextVersionMap() map[string]string              { return r.next }
func (r *deltaResponse) GetReturnedResources() map[string]string           { return r.next }
func (r *deltaResponse) GetContext() context.Context                       { return r.ctx }
