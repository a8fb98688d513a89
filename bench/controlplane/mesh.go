package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// meshNamespace is where the benchmark's services and proxies live.
const meshNamespace = "bench"

// mesh writes the benchmark's Istio YAML: services × endpoints, each service
// with a ServiceEntry, its WorkloadEntries (two versions), a DestinationRule
// with subsets v1 and v2 and a VirtualService splitting 80/20; plus one
// namespace-wide Sidecar importing every service on 127.0.0.1.
type mesh struct {
	dir       string
	services  int
	endpoints int
}

func writeMesh(dir string, services, endpoints int) (*mesh, error) {
	m := &mesh{dir: dir, services: services, endpoints: endpoints}
	files := map[string]string{"sidecar.yaml": sidecarYAML()}
	for i := range services {
		files[fmt.Sprintf("svc-%d.yaml", i)] = serviceYAML(i)
		files[fmt.Sprintf("vs-%d.yaml", i)] = virtualServiceYAML(i, 80)
		for j := range endpoints {
			files[fmt.Sprintf("we-%d-%d.yaml", i, j)] = workloadYAML(i, j, m.address(i, j, false))
		}
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return nil, fmt.Errorf("write mesh: %w", err)
		}
	}
	return m, nil
}

func host(i int) string { return fmt.Sprintf("svc-%d.%s.svc.cluster.local", i, meshNamespace) }

// address gives endpoint j of service i a unique loopback address; alt is
// the one the endpoint-change step moves it to.
func (m *mesh) address(i, j int, alt bool) string {
	k := i*m.endpoints + j
	third := 20
	if alt {
		third = 21
	}
	return fmt.Sprintf("127.%d.%d.%d", third, k/250, k%250+1)
}

// setRouteWeight rewrites service 0's VirtualService (the route change).
func (m *mesh) setRouteWeight(v1 int) error {
	return replaceFile(filepath.Join(m.dir, "vs-0.yaml"), virtualServiceYAML(0, v1))
}

// moveEndpoint rewrites service 0's first WorkloadEntry (the endpoint change).
func (m *mesh) moveEndpoint(alt bool) error {
	return replaceFile(filepath.Join(m.dir, "we-0-0.yaml"), workloadYAML(0, 0, m.address(0, 0, alt)))
}

// replaceFile swaps a file's content atomically, as editors and
// configuration tools do, so the watcher never reads half a file.
func replaceFile(path, body string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func sidecarYAML() string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: %s}
spec:
  egress:
  - port: {number: 9080, protocol: HTTP, name: http}
    bind: 127.0.0.1
    captureMode: NONE
    hosts: ["./*"]
`, meshNamespace)
}

func serviceYAML(i int) string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc-%d, namespace: %s}
spec:
  hosts: [%s]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: svc-%d}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: svc-%d, namespace: %s}
spec:
  host: %s
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`, i, meshNamespace, host(i), i, i, meshNamespace, host(i))
}

func virtualServiceYAML(i, v1 int) string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: svc-%d, namespace: %s}
spec:
  hosts: [%s]
  http:
  - route:
    - destination: {host: %s, subset: v1}
      weight: %d
    - destination: {host: %s, subset: v2}
      weight: %d
`, i, meshNamespace, host(i), host(i), v1, host(i), 100-v1)
}

func workloadYAML(i, j int, addr string) string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: svc-%d-%d, namespace: %s}
spec:
  address: %s
  labels: {app: svc-%d, version: v%d}
  serviceAccount: svc-%d
`, i, j, meshNamespace, addr, i, j%2+1, i)
}

// workloadOf names the WorkloadEntry simulated proxy k stands for.
func (m *mesh) workloadOf(k int) string {
	return fmt.Sprintf("svc-%d-%d", k%m.services, (k/m.services)%m.endpoints)
}
