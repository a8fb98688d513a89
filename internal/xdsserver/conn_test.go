package xdsserver

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/stream/v3"

	"github.com/loom-mesh/loom/internal/xds"
)

// sotwDriver plays go-control-plane's part for one state-of-the-world EDS
// subscription on a conn, step by step, in its order: the request callback,
// the subscription update, CreateWatch; and, for a response, the send
// callback. It lets a test reach orderings a real stream only hits by chance.
type sotwDriver struct {
	t     *testing.T
	c     *conn
	sub   stream.Subscription
	ch    chan cache.Response
	nonce int
}

func newSotWDriver(t *testing.T) *sotwDriver {
	c := newConn(context.Background(), 1, false, slog.New(slog.DiscardHandler))
	c.proxy = &xds.Proxy{}
	return &sotwDriver{t: t, c: c, sub: stream.NewSotwSubscription(nil, false), ch: make(chan cache.Response, 8)}
}

// request delivers an EDS request naming names, ACKing the response last sent.
func (d *sotwDriver) request(names ...string) {
	req := &discovery.DiscoveryRequest{TypeUrl: resource.EndpointType, ResourceNames: names}
	if ts := d.c.types[resource.EndpointType]; ts != nil {
		req.ResponseNonce, req.VersionInfo = ts.sentNonce, ts.sentVersion
	}
	d.c.recordRequest(request{typeURL: req.TypeUrl, nonce: req.ResponseNonce, version: req.VersionInfo, names: names})
	d.sub.SetResourceSubscription(names)
	d.c.openWatch(req.TypeUrl, &watch{sotwReq: req, sub: d.sub, ch: d.ch})
}

// queued returns the response waiting in the channel, if any.
func (d *sotwDriver) queued() *discovery.DiscoveryResponse {
	select {
	case r := <-d.ch:
		out, _ := r.GetDiscoveryResponse()
		return out
	default:
		return nil
	}
}

// send takes the queued response and sends it.
func (d *sotwDriver) send() *discovery.DiscoveryResponse {
	d.t.Helper()
	out := d.queued()
	if out == nil {
		d.t.Fatal("no response queued")
	}
	d.nonce++
	out.Nonce = strconv.Itoa(d.nonce)
	d.c.recordSent(resource.EndpointType, out.GetVersionInfo(), out.GetNonce(), func(ts *typeState) bool { return ts.pending.out == out })
	return out
}

func pushOf(clusters, endpoints map[string]*xds.Resource) xds.ProxyResources {
	return xds.ProxyResources{resource.ClusterType: clusters, resource.EndpointType: endpoints}
}

// A changed cluster forces its (unchanged) load assignment into the next EDS
// response. If go-control-plane drops that response (a new EDS request came
// before it was sent), the forced assignment is due in the next one.
func TestForcedEndpointsSurviveADroppedResponse(t *testing.T) {
	d := newSotWDriver(t)
	a, b := ep("a"), ep("b")
	endpoints := map[string]*xds.Resource{a: assignment(a, "127.0.1.1"), b: assignment(b, "127.0.1.2")}
	clusters := map[string]*xds.Resource{a: xds.NewResource(resource.ClusterType, a, edsCluster(a))}
	memo := newSetMemo(slog.New(slog.DiscardHandler))
	d.c.apply(pushOf(clusters, endpoints), 1, memo)
	d.request(a)
	d.send()
	d.request(a) // ACK

	changed := edsCluster(a)
	changed.EdsClusterConfig.ServiceName = "renamed"
	next := map[string]*xds.Resource{a: xds.NewResource(resource.ClusterType, a, changed)}
	d.c.apply(pushOf(next, endpoints), 2, newSetMemo(slog.New(slog.DiscardHandler)))
	if d.queued() == nil { // go-control-plane drops it: an EDS request arrives first
		t.Fatal("a changed cluster queued no EDS response")
	}
	d.request(a, b)
	got := clusterNames(t, d.send().GetResources())
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("EDS response after the drop carries %v, want [%s %s] (a forced, b new)", got, a, b)
	}
}
