package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/mesh"
)

// repoSamples is the repo's copy of Istio's Bookinfo samples.
var repoSamples = filepath.Join("..", "..", "samples", "istio-bookinfo")

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoSamples, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// samples reads sample files by name.
func samples(t *testing.T, names ...string) map[string][]byte {
	out := map[string][]byte{}
	for _, n := range names {
		out[n] = sample(t, n)
	}
	return out
}

// startMesh starts spec's mesh with extra config files; it is stopped (and
// checked to leave no process behind) when the test ends.
func startMesh(t *testing.T, spec mesh.Spec, files map[string][]byte, proxyArgs ...string) *mesh.Mesh {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir() // removed after stopMesh has read the logs
	if os.Getenv("LOOM_E2E_KEEP") == "1" {
		kept, err := os.MkdirTemp("", "loom-e2e-mesh-")
		if err != nil {
			t.Fatal(err)
		}
		dir = kept
		t.Logf("keeping %s", dir)
	}
	start := time.Now()
	m, err := mesh.Start(ctx, mesh.Config{Spec: spec, Binary: loomBin, Files: files, FirstBlock: 60, Dir: dir, ProxyArgs: proxyArgs})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mesh of %d workloads ready in %v (block %d, dir %s)", len(spec.Workloads), time.Since(start).Round(time.Millisecond), m.Plan().Block, m.Dir())
	t.Cleanup(func() { stopMesh(t, m) })
	return m
}

func stopMesh(t *testing.T, m *mesh.Mesh) {
	procs := m.Processes()
	if t.Failed() {
		for _, p := range procs {
			t.Logf("--- %s (last lines of %s):\n%s", p.Name, p.LogPath(), p.LogTail(20))
		}
	}
	start := time.Now()
	if err := m.Stop(context.Background()); err != nil {
		t.Errorf("stopping mesh: %v", err)
	}
	t.Logf("mesh stopped in %v", time.Since(start).Round(time.Millisecond))
	for _, p := range procs {
		if pid := p.Pid(); pid != 0 && alive(pid) {
			t.Errorf("%s (pid %d) still running after Stop", p.Name, pid)
		}
		checkLog(t, p)
	}
}

// checkLog fails the test if a process panicked or (built with -race) raced.
func checkLog(t *testing.T, p *mesh.Process) {
	log, err := p.Log()
	if err != nil {
		t.Errorf("%s: %v", p.Name, err)
		return
	}
	for _, bad := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
		if i := bytes.Index(log, []byte(bad)); i >= 0 {
			t.Errorf("%s logged %q:\n%s", p.Name, bad, log[i:min(len(log), i+3000)])
		}
	}
}

// alive says whether pid is a live process (a zombie is not).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}

func workload(t *testing.T, m *mesh.Mesh, name string) mesh.WorkloadInfo {
	t.Helper()
	w, err := m.Workload(name)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// eventually polls cond every 20ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) time.Duration {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < timeout {
		if err = cond(); err == nil {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not after %v: %v", what, timeout, err)
	return 0
}
