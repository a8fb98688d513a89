package mesh

import (
	"fmt"
	"slices"
)

// WorkloadInfo is where one workload's pieces live.
type WorkloadInfo struct {
	Name, Service, Version string
	// IP is the workload's own address; Inbound its proxy's inbound listener
	// (IP:service port, "" for a client-only workload).
	IP, Inbound string
	// Egress maps each service the workload calls to its egress listener address.
	Egress map[string]string
	// App is the app's address; Admin the proxy's admin address.
	App, Admin string
}

// Workload describes the named workload.
func (m *Mesh) Workload(name string) (WorkloadInfo, error) {
	i := slices.IndexFunc(m.cfg.Spec.Workloads, func(w Workload) bool { return w.Name == name })
	if i < 0 {
		return WorkloadInfo{}, fmt.Errorf("mesh has no workload %q", name)
	}
	return m.workloadInfo(i), nil
}

// Workloads describes every workload, in Spec order.
func (m *Mesh) Workloads() []WorkloadInfo {
	out := make([]WorkloadInfo, len(m.cfg.Spec.Workloads))
	for i := range out {
		out[i] = m.workloadInfo(i)
	}
	return out
}

func (m *Mesh) workloadInfo(i int) WorkloadInfo {
	w := m.cfg.Spec.Workloads[i]
	info := WorkloadInfo{
		Name: w.Name, Service: w.Service, Version: w.Version,
		IP: m.plan.WorkloadIP(i).String(), Egress: m.upstreams(i, w),
		App: m.plan.AppAddr(i), Admin: m.plan.ProxyAdmin(i),
	}
	if svc := m.cfg.Spec.service(w.Service); svc != nil {
		info.Inbound = hostPort(m.plan.WorkloadIP(i), int(svc.Port))
	}
	return info
}

// Plan is the mesh's address plan.
func (m *Mesh) Plan() Plan { return m.plan }

// Dir holds config/ and logs/.
func (m *Mesh) Dir() string { return m.dir }

// ConfigDir is the control plane's --config-dir.
func (m *Mesh) ConfigDir() string { return m.configDir }

// ControlPlane is the control plane process.
func (m *Mesh) ControlPlane() *Process { return m.cp }

// Proxy is the named workload's sidecar process, or nil.
func (m *Mesh) Proxy(workload string) *Process { return m.proxies[workload] }

// App is the named workload's app process, or nil.
func (m *Mesh) App(workload string) *Process { return m.apps[workload] }

// Processes lists every child process: control plane, apps, proxies.
func (m *Mesh) Processes() []*Process {
	return append(append([]*Process{m.cp}, m.appList()...), m.proxyList()...)
}

func (m *Mesh) appList() []*Process   { return m.listOf(m.apps) }
func (m *Mesh) proxyList() []*Process { return m.listOf(m.proxies) }

func (m *Mesh) listOf(byName map[string]*Process) []*Process {
	var out []*Process
	for _, w := range m.cfg.Spec.Workloads {
		if p := byName[w.Name]; p != nil {
			out = append(out, p)
		}
	}
	return out
}
