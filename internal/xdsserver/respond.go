package xdsserver

import (
	"context"
	"sort"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/xds"
)

// selected returns the resources of one type that a subscription covers:
// all of them for a wildcard subscription, else the names asked for that
// exist. Unsorted: only what is actually sent gets sorted.
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
	return out
}

// sortEntries orders a response's resources by name, so output is deterministic.
func sortEntries(es []entry) {
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
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

// respondSotW answers when the selected set's version differs from the one
// last sent on this stream. Wildcard types (CDS, LDS) carry the full set, as
// the protocol requires; the others (EDS, RDS) carry only the resources the
// proxy asked for whose version differs from what this stream was sent, as
// the protocol allows for them: an endpoint change sends one assignment, not
// every one the proxy watches.
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
	var returned map[string]string
	if !w.sub.IsWildcard() {
		if entries, returned = changedOnly(entries, w.sub.ReturnedResources(), ts.force); len(entries) == 0 {
			return false // names dropped or unsubscribed: SotW has nothing to send for them
		}
	}
	sortEntries(entries)
	anys := make([]*anypb.Any, len(entries))
	for i, e := range entries {
		anys[i] = e.any
	}
	out := &discovery.DiscoveryResponse{VersionInfo: version, TypeUrl: typeURL, Resources: anys}
	if !c.send(w, &sotwResponse{req: w.sotwReq, out: out, returned: returned, ctx: c.contextFor()}, nil) {
		return false
	}
	ts.pending = pendingResponse{out: out, seq: c.seq, names: w.sotwReq.GetResourceNames()}
	return true
}

// changedOnly keeps the entries whose version differs from what the stream
// holds (or that are forced), and returns what the stream holds after them.
func changedOnly(entries []entry, held map[string]string, force map[string]struct{}) ([]entry, map[string]string) {
	next := make(map[string]string, len(entries))
	var out []entry
	for _, e := range entries {
		next[e.name] = e.version
		_, forced := force[e.name]
		if held[e.name] != e.version || forced {
			out = append(out, e)
		}
	}
	return out, next
}

// respondDelta sends the resources whose version differs from what the
// proxy holds (or that are forced) and the names it holds that are gone.
func (c *conn) respondDelta(typeURL string, ts *typeState) bool {
	w := ts.watch
	entries, v := c.marshaled(selected(c.resources[typeURL], w.sub))
	held := w.sub.ReturnedResources()
	next := make(map[string]string, len(entries))
	var send []entry
	for _, e := range entries {
		next[e.name] = e.version
		_, forced := ts.force[e.name]
		if held[e.name] != e.version || forced {
			send = append(send, e)
		}
	}
	sortEntries(send)
	out := make([]*discovery.Resource, len(send))
	for i, e := range send {
		out[i] = &discovery.Resource{Name: e.name, Version: e.version, Resource: e.any}
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
	resp := &deltaResponse{
		req: w.deltaReq,
		out: &discovery.DeltaDiscoveryResponse{
			SystemVersionInfo: v.String(), TypeUrl: typeURL, Resources: out, RemovedResources: removed,
		},
		next: next,
		ctx:  c.contextFor(),
	}
	if !c.send(w, nil, resp) {
		return false
	}
	ts.pendingDelta = pendingResponse{deltaOut: resp.out, seq: c.seq}
	return true
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
	req      *discovery.DiscoveryRequest
	out      *discovery.DiscoveryResponse
	returned map[string]string // names and versions the stream holds (EDS, RDS); nil for wildcard types
	ctx      context.Context
}

var _ cache.Response = (*sotwResponse)(nil)

func (r *sotwResponse) GetDiscoveryResponse() (*discovery.DiscoveryResponse, error) {
	return r.out, nil
}
func (r *sotwResponse) GetRequest() *discovery.DiscoveryRequest { return r.req }
func (r *sotwResponse) GetVersion() (string, error)             { return r.out.VersionInfo, nil }
func (r *sotwResponse) GetResponseVersion() string              { return r.out.VersionInfo }
func (r *sotwResponse) GetContext() context.Context             { return r.ctx }

// GetReturnedResources is what the stream holds for a non-wildcard type,
// which go-control-plane hands back with the next watch; nil for wildcard
// types, which are always sent whole.
func (r *sotwResponse) GetReturnedResources() map[string]string { return r.returned }

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
