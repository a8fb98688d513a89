package mesh

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
)

// defineProcesses builds (but does not start) every child process.
func (m *Mesh) defineProcesses() {
	logf := func(name string) string { return filepath.Join(m.dir, "logs", name+".log") }
	cpArgs := append([]string{"control-plane", "--log-level", m.cfg.LogLevel,
		"--config-dir", m.configDir,
		"--xds-address", m.plan.ControlPlaneXDS(),
		"--admin-address", m.plan.ControlPlaneAdmin()}, m.cfg.ControlPlaneArgs...)
	m.cp = newProcess("control-plane", m.cfg.Binary, cpArgs, logf("control-plane"), m.processExited)
	for i, w := range m.cfg.Spec.Workloads {
		if w.App != nil {
			m.apps[w.Name] = newProcess("app "+w.Name, m.cfg.Binary, m.appArgs(i, w), logf("app-"+w.Name), m.processExited)
		}
		m.proxies[w.Name] = newProcess("proxy "+w.Name, m.cfg.Binary, m.proxyArgs(i, w), logf("proxy-"+w.Name), m.processExited)
	}
}

func (m *Mesh) appArgs(i int, w Workload) []string {
	name := w.Service
	if name == "" {
		name = w.Name
	}
	args := []string{"sample-app", "--log-level", m.cfg.LogLevel, "--kind", string(w.App.Kind),
		"--name", name, "--version", w.Version, "--listen", m.plan.AppAddr(i)}
	up := m.upstreams(i, w)
	for _, svc := range slices.Sorted(maps.Keys(up)) {
		args = append(args, "--upstream", svc+"="+up[svc])
	}
	return append(args, w.App.Args...)
}

func (m *Mesh) proxyArgs(i int, w Workload) []string {
	return append([]string{"proxy", "--log-level", m.cfg.LogLevel,
		"--control-plane", m.plan.ControlPlaneXDS(),
		"--namespace", m.cfg.Spec.namespace(),
		"--workload", w.Name,
		"--ip", m.plan.WorkloadIP(i).String(),
		"--admin-address", m.plan.ProxyAdmin(i)}, m.cfg.ProxyArgs...)
}

// upstreams maps each service workload i calls to its egress listener address.
func (m *Mesh) upstreams(i int, w Workload) map[string]string {
	out := make(map[string]string, len(w.Calls))
	for _, c := range w.Calls {
		out[c] = hostPort(m.plan.EgressIP(i), int(m.cfg.Spec.service(c).Port))
	}
	return out
}

// launch starts the control plane, then every app and proxy, and waits until
// each is up: apps listening, proxies ready and their listeners bound.
func (m *Mesh) launch(ctx context.Context) error {
	if err := m.startControlPlane(ctx); err != nil {
		return err
	}
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, w := range m.cfg.Spec.Workloads {
		wg.Go(func() {
			if err := m.startWorkload(ctx, i, w); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (m *Mesh) startControlPlane(ctx context.Context) error {
	if err := m.cp.Start(); err != nil {
		return err
	}
	return waitFor(ctx, m.cp, "serving xDS on "+m.plan.ControlPlaneXDS(), listening(m.plan.ControlPlaneXDS()))
}

func (m *Mesh) startWorkload(ctx context.Context, i int, w Workload) error {
	if app := m.apps[w.Name]; app != nil {
		if err := app.Start(); err != nil {
			return err
		}
		if err := waitFor(ctx, app, "listening on "+m.plan.AppAddr(i), listening(m.plan.AppAddr(i))); err != nil {
			return err
		}
	}
	proxy := m.proxies[w.Name]
	if err := proxy.Start(); err != nil {
		return err
	}
	admin := "http://" + m.plan.ProxyAdmin(i) + "/ready"
	if err := waitFor(ctx, proxy, "ready ("+admin+")", answers200(m.client, admin)); err != nil {
		return err
	}
	for _, addr := range m.listenerAddrs(i, w) {
		if err := waitFor(ctx, proxy, "listening on "+addr, listening(addr)); err != nil {
			return err
		}
	}
	return nil
}

// listenerAddrs are the inbound and outbound listeners workload i's proxy must bind.
func (m *Mesh) listenerAddrs(i int, w Workload) []string {
	var out []string
	if svc := m.cfg.Spec.service(w.Service); svc != nil {
		out = append(out, hostPort(m.plan.WorkloadIP(i), int(svc.Port)))
	}
	listeners, _ := m.cfg.Spec.egressListeners(w)
	for _, l := range listeners {
		out = append(out, hostPort(m.plan.EgressIP(i), int(l.Port)))
	}
	return out
}

// RestartControlPlane starts the control plane again after Kill or Stop and
// waits until it serves xDS.
func (m *Mesh) RestartControlPlane(ctx context.Context) error {
	if err := m.startControlPlane(ctx); err != nil {
		return fmt.Errorf("restarting control plane: %w", err)
	}
	return nil
}
