// Package xdsserver serves xDS over ADS (state-of-the-world and delta) with
// go-control-plane's gRPC server and Loom's own implementation of its Cache.
//
// Why not go-control-plane's caches: its state-of-the-world cache re-marshals
// every response for every node, and its delta cache diffs every node under
// one lock. Here each connected proxy holds the resources generated for it
// (shared *xds.Resource values, marshaled once however many proxies see them)
// and, per type, the version last sent, ACKed and NACKed. A push regenerates
// every proxy in parallel and sends a type only to the proxies whose set of
// that type changed, as a response assembled from the shared Anys.
//
// A push's cost per proxy follows what changed, not how many resources the
// proxy watches: the proxies of a scope share the generator's maps, so what
// changed between two maps is computed once per push (setMemo); what a stream
// holds is recorded as "the selection of map M" (held), so its next response
// and set version follow from M's transition to the current map; and the
// names Envoy repeats in every ACK are decoded once per distinct list
// (requestCodec). Streams whose subscription differs from their scope's map
// (partial, ahead of the config, behind by several pushes, after a NACK or a
// reconnect) take the same path or, after a subscription change, a per-name
// comparison: the result is the same, only the cost differs.
package xdsserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"time"

	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/sotw/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/loom-mesh/loom/internal/xds"
)

// Generator produces everything one proxy should see. The control plane
// hands the server a new Generator (one xDS push) after each config or
// registry change. Generate is called concurrently for many proxies.
// *xds.Push is one.
type Generator interface {
	Generate(p *xds.Proxy) xds.ProxyResources
}

// GeneratorFunc adapts a function to Generator.
type GeneratorFunc func(p *xds.Proxy) xds.ProxyResources

// Generate calls f.
func (f GeneratorFunc) Generate(p *xds.Proxy) xds.ProxyResources { return f(p) }

// Config configures a Server.
type Config struct {
	Logger *slog.Logger
	// Workers bounds how many proxies are generated at once; default GOMAXPROCS.
	Workers int
	// ShutdownGrace bounds how long Run waits for streams to end; default 5 s.
	ShutdownGrace time.Duration
	// InitialSyncs bounds how many proxies fetch their initial configuration
	// at once (see syncGate); default 100. InitialSyncTimeout is how long one
	// may hold its turn without answering; default 10 s.
	InitialSyncs       int
	InitialSyncTimeout time.Duration
}

// Server is the xDS server. Create it with New, serve with Run, push with Update.
type Server struct {
	log     *slog.Logger
	workers int
	grace   time.Duration
	genSem  chan struct{} // bounds generation for newly connecting proxies
	gate    *syncGate     // bounds initial syncs

	pushMu sync.Mutex // serializes Update

	mu      sync.RWMutex
	conns   map[streamKey]*conn // by go-control-plane stream id and protocol
	pending map[any]*conn       // request → its stream, between callback and watch
	gen     Generator
	memo    *setMemo // the current push's shared comparisons
	seq     uint64
	pushes  uint64
	ready   chan struct{} // closed by the first Update
}

// New returns a server with no proxies and no generator: streams are held
// (not answered) until the first Update, so a restarting control plane never
// sends proxies an empty configuration.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	if cfg.InitialSyncs <= 0 {
		cfg.InitialSyncs = 100
	}
	if cfg.InitialSyncTimeout <= 0 {
		cfg.InitialSyncTimeout = 10 * time.Second
	}
	return &Server{
		log:     cfg.Logger,
		workers: cfg.Workers,
		grace:   cfg.ShutdownGrace,
		genSem:  make(chan struct{}, cfg.Workers),
		gate:    newSyncGate(cfg.InitialSyncs, cfg.InitialSyncTimeout),
		conns:   make(map[streamKey]*conn),
		pending: make(map[any]*conn),
		ready:   make(chan struct{}),
	}
}

// Run serves ADS on lis until ctx ends, then closes every stream and returns.
func (s *Server) Run(ctx context.Context, lis net.Listener) error {
	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	xdsServer := serverv3.NewServer(streamCtx, s, s,
		sotw.WithOrderedADS(),
		sotw.WithLogger(gcpLogger{s.log}),
		// An EDS or RDS request naming nothing asks for nothing, never for all.
		sotw.DeactivateLegacyWildcardForTypes([]string{resource.EndpointType, resource.RouteType}),
	)
	gs := grpc.NewServer(
		grpc.ForceServerCodecV2(newRequestCodec()),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(gs, xdsServer)
	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	s.log.Info("serving xDS", "address", lis.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("xDS server on %s: %w", lis.Addr(), err)
	case <-ctx.Done():
	}
	stopStreams()
	s.stopGracefully(gs)
	if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("xDS server on %s: %w", lis.Addr(), err)
	}
	return nil
}

func (s *Server) stopGracefully(gs *grpc.Server) {
	done := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(s.grace):
		gs.Stop()
		<-done
	}
}

// Ready reports whether the first push has happened.
func (s *Server) Ready() bool {
	select {
	case <-s.ready:
		return true
	default:
		return false
	}
}

// gcpLogger routes go-control-plane's logs to slog at debug level.
type gcpLogger struct{ log *slog.Logger }

func (l gcpLogger) Debugf(format string, args ...any) { l.logf(slog.LevelDebug, format, args...) }
func (l gcpLogger) Infof(format string, args ...any)  { l.logf(slog.LevelDebug, format, args...) }
func (l gcpLogger) Warnf(format string, args ...any)  { l.logf(slog.LevelWarn, format, args...) }
func (l gcpLogger) Errorf(format string, args ...any) { l.logf(slog.LevelError, format, args...) }

func (l gcpLogger) logf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...), "component", "go-control-plane")
	}
}
