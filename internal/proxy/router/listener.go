package router

import (
	"math/rand/v2"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// Listener is an HTTP listener's state for one config: everything a request
// needs, loaded once per request from an atomic pointer. Immutable.
type Listener struct {
	Name      string
	Direction listener.Direction
	HCM       *listener.HTTPConnectionManager
	// Routes is nil while the listener's RDS configuration has not arrived.
	Routes *Routes
	Stats  *stats.HTTP
	// Istio records the standard metrics; nil for outbound listeners.
	Istio *stats.Istio
}

// Decision is the routing outcome for one request: a target, or the reply
// the proxy gives itself.
type Decision struct {
	Target *Target
	Dest   *Dest // for forwarding targets
	Reply  *LocalReply
	// Delay is an injected fault delay to wait before anything else.
	Delay time.Duration
}

// Decide routes req: route match, fault injection, destination choice.
func (l *Listener) Decide(req route.Request) Decision {
	if l.Routes == nil {
		return Decision{Reply: &ReplyNoRoute}
	}
	t := l.Routes.Find(req)
	if t == nil {
		l.Stats.NoRoute.Inc()
		return Decision{Reply: &ReplyNoRoute}
	}
	d := Decision{Target: t}
	if l.HCM.FaultFilter && t.Route.Fault != nil {
		d.Delay, d.Reply = l.fault(t.Route.Fault)
		if d.Reply != nil {
			return d
		}
	}
	if t.Route.Forward == nil {
		return d
	}
	d.Dest = t.Pick()
	if d.Dest.Cluster == nil {
		l.Stats.NoCluster.Inc()
		d.Reply = &ReplyNoCluster
	}
	return d
}

// fault rolls the dice for a route's fault injection.
func (l *Listener) fault(f *route.Fault) (time.Duration, *LocalReply) {
	var delay time.Duration
	if f.Delay > 0 && hit(f.DelayMillionths) {
		l.Stats.FaultDelay.Inc()
		delay = f.Delay
	}
	if (f.AbortStatus != 0 || f.AbortGRPCSet) && hit(f.AbortMillionths) {
		l.Stats.FaultAbort.Inc()
		r := FaultAbort(f.AbortStatus, f.AbortGRPC, f.AbortGRPCSet)
		return delay, &r
	}
	return delay, nil
}

func hit(millionths uint32) bool {
	return millionths >= 1_000_000 || rand.Uint32N(1_000_000) < millionths
}
