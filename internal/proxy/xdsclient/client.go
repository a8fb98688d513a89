package xdsclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/proto"

	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// Client is an ADS client. Run drives it; the other methods are safe to call
// from any goroutine.
type Client struct {
	cfg  Config
	node *corev3.Node
	log  *slog.Logger

	mu     sync.Mutex // guards st and status
	st     *state
	status Status

	snap       atomic.Pointer[snapshot.Snapshot]
	synced     chan struct{}
	warmTimer  deadline // owned by the Run goroutine
	running    atomic.Bool
	syncedOnce sync.Once
}

// New builds a client; it connects when Run is called.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("xds client: %w", err)
	}
	cfg = cfg.withDefaults()
	node, err := cfg.Node.Proto()
	if err != nil {
		return nil, fmt.Errorf("xds client: %w", err)
	}
	c := &Client{
		cfg:    cfg,
		node:   node,
		log:    cfg.Logger.With("control_plane", cfg.ControlPlane, "node", node.GetId()),
		st:     newState(),
		synced: make(chan struct{}),
	}
	c.status = Status{ControlPlane: cfg.ControlPlane, Delta: cfg.Delta, Versions: map[string]string{}}
	return c, nil
}

// Run keeps an ADS stream to the control plane until ctx is done, then
// returns nil. When a stream fails it keeps the last configuration and
// reconnects with backoff. Run may be called once.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("xds client: Run called twice")
	}
	defer c.warmTimer.stop()
	for attempt := 0; ; attempt++ {
		healthy, err := c.runStream(ctx)
		c.streamEnded(err)
		if ctx.Err() != nil {
			return nil
		}
		if healthy {
			attempt = 0
		}
		wait := c.cfg.Backoff.Delay(attempt)
		c.log.Warn("xDS stream ended; keeping the last configuration", "err", err, "retry_in", wait)
		if !c.pause(ctx, wait) {
			return nil
		}
	}
}

// pause waits d, publishing warming timeouts meanwhile; false if ctx ended.
func (c *Client) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case <-c.warmTimer.C():
			c.settle(time.Now())
		}
	}
}

// Snapshot is the last published configuration (nil before the first).
func (c *Client) Snapshot() *snapshot.Snapshot { return c.snap.Load() }

// Synced is closed once the first complete configuration is published.
func (c *Client) Synced() <-chan struct{} { return c.synced }

// Node is the identity the client presents.
func (c *Client) Node() *corev3.Node { return proto.Clone(c.node).(*corev3.Node) }

// Status reports the connection and the last versions, NACK and update.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Versions = maps.Clone(c.status.Versions)
	s.Warming = c.st.warming()
	return s
}

// Dump returns every resource the client holds, for /config_dump.
func (c *Client) Dump() Dump {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Dump{Node: c.Node(), ControlPlane: c.cfg.ControlPlane, Resources: c.st.dump()}
}

func (c *Client) streamEnded(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.Connected = false
	if err != nil {
		c.status.LastError = err.Error()
	}
}

func (c *Client) setConnected() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.Connected = true
	c.status.LastError = ""
}

// kinds are the resource types in subscription order.
func (c *Client) kinds() []*kind { return kinds }

// wanted is the subscription for k: nil for wildcard types.
func (c *Client) wanted(k *kind) []string {
	if k.wildcard {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.wanted(k.typeURL)
}

// known lists held resources with their versions, for a delta stream's
// initial_resource_versions: every resource of a wildcard type, or those of
// names.
func (c *Client) known(typeURL string, names []string) map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]string{}
	for name, e := range c.st.accepted[typeURL] {
		if names == nil || slices.Contains(names, name) {
			out[name] = e.version
		}
	}
	return out
}
