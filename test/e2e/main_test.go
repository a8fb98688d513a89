// Package e2e holds Loom's end-to-end tests: each starts real `loom`
// processes on loopback (a control plane, sample apps, one `loom proxy` per
// workload, via internal/mesh) and asserts behaviour a user sees.
//
// TestMain builds the loom binary once. LOOM_E2E_BINARY uses a prebuilt one
// instead; LOOM_E2E_RACE=1 builds it with -race.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// loomBin is the loom binary under test.
var loomBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "loom-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if loomBin = os.Getenv("LOOM_E2E_BINARY"); loomBin == "" {
		if loomBin, err = build(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
			return 1
		}
	}
	return code
}

func build(dir string) (string, error) {
	bin := filepath.Join(dir, "loom")
	args := []string{"build", "-o", bin}
	if os.Getenv("LOOM_E2E_RACE") == "1" {
		args = append(args, "-race")
	}
	start := time.Now()
	cmd := exec.Command("go", append(args, "github.com/loom-mesh/loom/cmd/loom")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building loom: %v\n%s", err, out)
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s in %v\n", bin, time.Since(start).Round(time.Millisecond))
	return bin, nil
}
