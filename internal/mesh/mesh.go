package mesh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Config says what mesh to start and where.
type Config struct {
	Spec Spec
	// Binary is the loom executable to run; default: the running one.
	Binary string
	// Block is the address block (see Plan); 0 picks the first free one from FirstBlock.
	Block      int
	FirstBlock int
	// Dir holds config/ and logs/; default: a new temporary directory,
	// removed by Stop unless KeepDir.
	Dir     string
	KeepDir bool
	// Files are extra config files (name → YAML) written next to the
	// generated mesh.yaml before the control plane starts.
	Files map[string][]byte
	// LogLevel of every child process (default info).
	LogLevel string
	// ControlPlaneArgs and ProxyArgs are extra flags for those processes.
	ControlPlaneArgs []string
	ProxyArgs        []string
	// ReadyTimeout bounds start-up (default 30 s); StopGrace bounds each
	// process's graceful stop before it is killed (default 5 s).
	ReadyTimeout time.Duration
	StopGrace    time.Duration
	Logger       *slog.Logger
}

// ManifestFile is the name of the generated YAML in the config directory.
const ManifestFile = "mesh.yaml"

// Mesh is a running mesh. Stop it when done.
type Mesh struct {
	cfg       Config
	plan      Plan
	lease     *lease
	dir       string
	configDir string
	logger    *slog.Logger
	client    *http.Client

	cp      *Process
	apps    map[string]*Process // by workload name
	proxies map[string]*Process // by workload name
	failed  chan error

	stopOnce sync.Once
	stopErr  error
}

// Start launches the control plane, the apps and the proxies, and returns
// once every proxy is ready and listening. On failure it stops what it started.
func Start(ctx context.Context, cfg Config) (*Mesh, error) {
	m, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.ReadyTimeout)
	defer cancel()
	if err := m.launch(ctx); err != nil {
		stopErr := m.Stop(context.WithoutCancel(ctx))
		return nil, errors.Join(fmt.Errorf("starting mesh in %s: %w", m.dir, err), stopErr)
	}
	m.logger.Info("mesh ready", "block", m.plan.Block, "dir", m.dir, "workloads", len(m.cfg.Spec.Workloads))
	return m, nil
}

func prepare(cfg Config) (*Mesh, error) {
	if err := cfg.Spec.Validate(); err != nil {
		return nil, fmt.Errorf("mesh spec: %w", err)
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	var l *lease
	var err error
	apps := len(cfg.Spec.Workloads)
	if cfg.Block != 0 {
		l, err = acquire(cfg.Block, apps)
	} else {
		l, err = acquireFirstFree(cfg.FirstBlock, apps)
	}
	if err != nil {
		return nil, err
	}
	m := &Mesh{cfg: cfg, plan: l.plan, lease: l, dir: cfg.Dir, logger: cfg.Logger,
		client: &http.Client{Timeout: 2 * time.Second},
		apps:   map[string]*Process{}, proxies: map[string]*Process{},
		failed: make(chan error, 2*len(cfg.Spec.Workloads)+1)}
	if err := m.writeFiles(); err != nil {
		m.Stop(context.Background())
		return nil, err
	}
	m.defineProcesses()
	return m, nil
}

func (c *Config) defaults() error {
	if c.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding the loom binary: %w", err)
		}
		c.Binary = exe
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = 30 * time.Second
	}
	if c.StopGrace <= 0 {
		c.StopGrace = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func (m *Mesh) writeFiles() error {
	if m.dir == "" {
		dir, err := os.MkdirTemp("", "loom-mesh-")
		if err != nil {
			return err
		}
		m.dir = dir
	}
	m.configDir = filepath.Join(m.dir, "config")
	for _, d := range []string{m.configDir, filepath.Join(m.dir, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	manifest, err := Manifest(&m.cfg.Spec, m.plan)
	if err != nil {
		return fmt.Errorf("rendering %s: %w", ManifestFile, err)
	}
	if err := m.WriteFile(ManifestFile, manifest); err != nil {
		return err
	}
	for name, data := range m.cfg.Files {
		if err := m.WriteFile(name, data); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile writes (or rewrites, in place) a file in the config directory.
func (m *Mesh) WriteFile(name string, data []byte) error {
	return os.WriteFile(filepath.Join(m.configDir, name), data, 0o644)
}

// RemoveFile deletes a file from the config directory.
func (m *Mesh) RemoveFile(name string) error {
	return os.Remove(filepath.Join(m.configDir, name))
}

func (m *Mesh) processExited(p *Process, err error) {
	select {
	case m.failed <- fmt.Errorf("%s exited unexpectedly: %v (log %s:\n%s)", p.Name, err, p.LogPath(), p.LogTail(10)):
	default:
	}
}

// Failed delivers an error whenever a process exits without being stopped.
func (m *Mesh) Failed() <-chan error { return m.failed }

// Stop stops the proxies, then the apps, then the control plane (each SIGTERM,
// then SIGKILL after StopGrace, or sooner if ctx's deadline is nearer),
// releases the address block and removes the directory it created. Safe to
// call more than once.
func (m *Mesh) Stop(ctx context.Context) error {
	m.stopOnce.Do(func() {
		var errs []error
		for _, group := range [][]*Process{m.proxyList(), m.appList(), {m.cp}} {
			errs = append(errs, stopAll(group, m.grace(ctx)))
		}
		m.lease.release()
		m.client.CloseIdleConnections()
		if m.cfg.Dir == "" && !m.cfg.KeepDir && m.dir != "" {
			errs = append(errs, os.RemoveAll(m.dir))
		}
		m.stopErr = errors.Join(errs...)
	})
	return m.stopErr
}

// grace is StopGrace, shortened to what is left of ctx's deadline.
func (m *Mesh) grace(ctx context.Context) time.Duration {
	g := m.cfg.StopGrace
	if dl, ok := ctx.Deadline(); ok {
		g = max(0, min(g, time.Until(dl)))
	}
	if ctx.Err() != nil {
		g = 0
	}
	return g
}

func stopAll(ps []*Process, grace time.Duration) error {
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		if p == nil {
			continue
		}
		wg.Go(func() { errs[i] = p.Stop(grace) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
