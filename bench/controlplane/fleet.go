package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/xdsserver/adstest"
)

// fleet is N simulated proxies, each on its own gRPC connection (as real
// proxies are), ACKing like Envoy.
type fleet struct {
	members []*member
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	armed   atomic.Int64 // members still waiting for the armed change
}

// member is one simulated proxy and the ACKs it sent.
type member struct {
	f      *fleet
	client *adstest.Client
	cc     *grpc.ClientConn

	mu      sync.Mutex
	last    map[string]string // type → last ACKed version
	armType string            // type being watched for a change, if any
	armBase string            // its version when armed
	changed time.Time         // when the first ACK of a new version was sent
}

func startFleet(ctx context.Context, addr string, m *mesh, n int, delta bool) (*fleet, error) {
	ctx, cancel := context.WithCancel(ctx)
	f := &fleet{cancel: cancel}
	for k := range n {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			f.stop()
			return nil, fmt.Errorf("proxy %d: %w", k, err)
		}
		mb := &member{f: f, cc: cc, last: map[string]string{}}
		mb.client = adstest.New(adstest.Options{Node: benchNode(k, m.workloadOf(k)), Delta: delta, SkipDecode: true, OnACK: mb.onACK})
		f.members = append(f.members, mb)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			_ = mb.client.Run(ctx, cc)
		}()
	}
	return f, nil
}

func benchNode(k int, workload string) *core.Node {
	ip := fmt.Sprintf("127.30.%d.%d", k/250, k%250+1)
	return &core.Node{
		Id: fmt.Sprintf("sidecar~%s~proxy-%d.%s~%s.svc.cluster.local", ip, k, meshNamespace, meshNamespace),
		Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{
			"NAMESPACE":         structpb.NewStringValue(meshNamespace),
			"WORKLOAD_NAME":     structpb.NewStringValue(workload),
			"INTERCEPTION_MODE": structpb.NewStringValue("NONE"),
		}},
	}
}

func (mb *member) onACK(typeURL, version string, at time.Time) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.last[typeURL] = version
	if mb.armType == typeURL && mb.changed.IsZero() && version != mb.armBase {
		mb.changed = at
		mb.f.armed.Add(-1)
	}
}

// waitSynced waits until every proxy has ACKed all four types.
func (f *fleet) waitSynced(ctx context.Context) error {
	types := []string{adstest.ClusterType, adstest.EndpointType, adstest.ListenerType, adstest.RouteType}
	for {
		missing := 0
		for _, mb := range f.members {
			mb.mu.Lock()
			for _, t := range types {
				if mb.last[t] == "" {
					missing++
				}
			}
			mb.mu.Unlock()
		}
		if missing == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d type subscriptions not ACKed yet: %w", missing, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// converge applies change and returns how long until every proxy ACKed a
// new version of typeURL, and each proxy's own time.
func (f *fleet) converge(ctx context.Context, typeURL string, change func() error) (time.Duration, []time.Duration, error) {
	for _, mb := range f.members {
		mb.mu.Lock()
		mb.armType, mb.armBase, mb.changed = typeURL, mb.last[typeURL], time.Time{}
		mb.mu.Unlock()
	}
	f.armed.Store(int64(len(f.members)))
	start := time.Now()
	if err := change(); err != nil {
		return 0, nil, err
	}
	for f.armed.Load() > 0 {
		select {
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("%d of %d proxies never ACKed the change: %w", f.armed.Load(), len(f.members), ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	each := make([]time.Duration, 0, len(f.members))
	for _, mb := range f.members {
		mb.mu.Lock()
		each = append(each, mb.changed.Sub(start))
		mb.armType = ""
		mb.mu.Unlock()
	}
	sort.Slice(each, func(i, j int) bool { return each[i] < each[j] })
	return each[len(each)-1], each, nil
}

func (f *fleet) stop() {
	f.cancel()
	f.wg.Wait()
	for _, mb := range f.members {
		_ = mb.cc.Close()
	}
}
