package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Loom's side of the harness: a control plane and two sidecars.
const (
	xdsAddress    = "127.0.40.200:15010"
	cpAdmin       = "127.0.40.200:15014"
	clientIP      = "127.0.40.11"
	serverIP      = "127.0.40.12"
	clientEgress  = "127.0.40.21" // where the client app (fortio) sends requests
	serverEgress  = "127.0.40.22"
	meshNamespace = "default"
)

const meshYAML = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bench-server, namespace: default}
spec:
  hosts: [bench-server.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {number: 8080, name: http, protocol: HTTP}
  - {number: 8081, name: http2, protocol: HTTP2}
  workloadSelector: {labels: {app: bench-server}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: bench-server, namespace: default}
spec:
  address: ` + serverIP + `
  labels: {app: bench-server, version: v1}
  serviceAccount: bench-server
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: bench-client, namespace: default}
spec:
  address: ` + clientIP + `
  labels: {app: bench-client, version: v1}
  serviceAccount: bench-client
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: bench-server, namespace: default}
spec:
  workloadSelector: {labels: {app: bench-server}}
  ingress:
  - port: {number: 8080, name: http, protocol: HTTP}
    defaultEndpoint: ` + upstreamH1 + `
  - port: {number: 8081, name: http2, protocol: HTTP2}
    defaultEndpoint: ` + upstreamH2C + `
  egress:
  - bind: ` + serverEgress + `
    captureMode: NONE
    hosts: [./bench-server.default.svc.cluster.local]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: bench-client, namespace: default}
spec:
  workloadSelector: {labels: {app: bench-client}}
  egress:
  - bind: ` + clientEgress + `
    port: {number: 8080, name: http, protocol: HTTP}
    captureMode: NONE
    hosts: [./bench-server.default.svc.cluster.local]
  - bind: ` + clientEgress + `
    port: {number: 8081, name: http2, protocol: HTTP2}
    captureMode: NONE
    hosts: [./bench-server.default.svc.cluster.local]
`

// loomMesh is a running control plane and the two sidecars.
type loomMesh struct {
	controlPlane *process
	client       *process
	server       *process
}

func (m *loomMesh) stop() {
	for _, p := range []*process{m.client, m.server, m.controlPlane} {
		if p != nil {
			p.stop()
		}
	}
}

func startLoom(ctx context.Context, o options, dir string) (*loomMesh, error) {
	cfgDir := filepath.Join(dir, "mesh")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "mesh.yaml"), []byte(meshYAML), 0o644); err != nil {
		return nil, err
	}
	m := &loomMesh{}
	var err error
	m.controlPlane, err = startProcess(ctx, dir, "control-plane", o.loom, "control-plane",
		"--config-dir", cfgDir, "--xds-address", xdsAddress, "--admin-address", cpAdmin)
	if err != nil {
		return nil, err
	}
	for _, w := range []struct {
		name string
		ip   string
		dst  **process
	}{{"bench-server", serverIP, &m.server}, {"bench-client", clientIP, &m.client}} {
		*w.dst, err = startProcess(ctx, dir, w.name, o.loom, "proxy", "--control-plane", xdsAddress,
			"--namespace", meshNamespace, "--workload", w.name, "--ip", w.ip)
		if err != nil {
			m.stop()
			return nil, err
		}
	}
	for _, ip := range []string{serverIP, clientIP} {
		if err := waitReady(ctx, "http://"+ip+":15000/ready"); err != nil {
			m.stop()
			return nil, err
		}
	}
	return m, nil
}

func waitReady(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var last string
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %s", url, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// buildLoom builds ./cmd/loom into dir, as scripts/build does for a release
// (static, no cgo, stripped), unless a binary was given.
func buildLoom(ctx context.Context, o *options, dir string) error {
	if o.loom != "" {
		return nil
	}
	o.loom = filepath.Join(dir, "loom")
	cmd := exec.CommandContext(ctx, "./scripts/build", o.loom)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("scripts/build: %w", err)
	}
	return nil
}
