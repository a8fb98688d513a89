package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a process writing while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// childrenOf lists the pids whose parent is pid.
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		_, rest, _ := strings.Cut(string(b), ") ")
		fields := strings.Fields(rest) // state, ppid, ...
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			out = append(out, child)
		}
	}
	return out
}

// startDemo runs `loom demo` (table output, not a terminal) until it has shown
// its first table, and returns it with the processes it started.
func startDemo(t *testing.T) (*exec.Cmd, *syncBuffer, []int) {
	t.Helper()
	out := &syncBuffer{}
	cmd := exec.Command(loomBin, "demo", "--rate", "20")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	eventually(t, 30*time.Second, "demo shows its table", func() error {
		if !strings.Contains(out.String(), "--- 1s") {
			return errorf("output so far:\n%s", out.String())
		}
		return nil
	})
	kids := childrenOf(cmd.Process.Pid)
	if len(kids) != 13 { // control plane, 6 apps, 6 sidecars
		t.Fatalf("demo runs %d child processes, want 13", len(kids))
	}
	return cmd, out, kids
}

func checkGone(t *testing.T, pids []int, within time.Duration) {
	t.Helper()
	eventually(t, within, "every process of the demo is gone", func() error {
		for _, pid := range pids {
			if alive(pid) {
				return errorf("pid %d still running", pid)
			}
		}
		return nil
	})
}

// Ctrl-C stops the demo cleanly: a summary, exit status 0, nothing left running.
func TestDemoCtrlCStopsEverything(t *testing.T) {
	t.Parallel()
	cmd, out, kids := startDemo(t)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo exited with %v after Ctrl-C; output:\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("demo still running 20s after Ctrl-C; output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Done after") || !strings.Contains(out.String(), " 0 failed") {
		t.Errorf("no clean summary after Ctrl-C:\n%s", out.String())
	}
	checkGone(t, kids, time.Second)
}

// Even a SIGKILLed demo leaves no process behind (the kernel's parent-death signal).
func TestDemoKilledLeavesNoOrphans(t *testing.T) {
	t.Parallel()
	cmd, _, kids := startDemo(t)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	checkGone(t, kids, 5*time.Second)
}
