package mesh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// helperEnv makes the test binary act as a child process (see runHelper).
const helperEnv = "LOOM_MESH_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	goleak.VerifyTestMain(m)
}

// runHelper: "sleep" exits 0 on SIGTERM; "stubborn" ignores SIGTERM;
// "parent" starts a "sleep" child, prints its pid and waits forever.
func runHelper(mode string) int {
	switch mode {
	case "sleep":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		fmt.Println("sleeping")
		<-ctx.Done()
		return 0
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ignoring SIGTERM")
		time.Sleep(time.Hour)
	case "parent":
		child := helperProcess(os.Getenv("LOOM_MESH_TEST_DIR"), "sleep", nil)
		if err := child.Start(); err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println(child.Pid())
		time.Sleep(time.Hour)
	}
	return 2
}

func helperProcess(dir, mode string, onExit func(*Process, error)) *Process {
	exe, _ := os.Executable()
	p := newProcess(mode, exe, []string{"-test.run=^$"}, filepath.Join(dir, mode+".log"), onExit)
	return p
}

func startHelper(t *testing.T, mode string, onExit func(*Process, error)) *Process {
	t.Helper()
	t.Setenv(helperEnv, mode)
	t.Setenv("LOOM_MESH_TEST_DIR", t.TempDir())
	p := helperProcess(t.TempDir(), mode, onExit)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill() })
	waitLog(t, p, "\n")
	return p
}

func waitLog(t *testing.T, p *Process, substr string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, _ := p.Log(); strings.Contains(string(b), substr) {
			return string(b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never logged %q; log: %s", p.Name, substr, p.LogTail(5))
	return ""
}

// alive says whether pid is a live process (a zombie awaiting its reaper is not).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}

func TestProcessStopIsGracefulAndRestartable(t *testing.T) {
	exits := make(chan error, 1)
	p := startHelper(t, "sleep", func(_ *Process, err error) { exits <- err })
	first := p.Pid()
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if p.ExitErr() != nil || alive(first) {
		t.Fatalf("after Stop: exit %v, alive %v", p.ExitErr(), alive(first))
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if p.Pid() == first {
		t.Fatal("restart kept the old pid")
	}
	if err := p.Start(); err == nil {
		t.Fatal("second Start of a running process succeeded")
	}
	syscall.Kill(p.Pid(), syscall.SIGKILL) // a crash: onExit must hear of it
	select {
	case err := <-exits:
		if err == nil {
			t.Error("crash reported as a clean exit")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("crash not reported")
	}
}

func TestProcessStopKillsAfterGrace(t *testing.T) {
	p := startHelper(t, "stubborn", nil)
	start := time.Now()
	if err := p.Stop(200 * time.Millisecond); !errors.Is(err, ErrKilled) {
		t.Fatalf("Stop = %v, want ErrKilled", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("stop took %v, want just over the 200ms grace", d)
	}
	if p.ExitErr() == nil {
		t.Error("a process that ignored SIGTERM exited cleanly")
	}
}

// A child must not outlive its launcher, even when the launcher is SIGKILLed.
func TestChildDiesWithParent(t *testing.T) {
	parent := startHelper(t, "parent", nil)
	out := waitLog(t, parent, "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("parent printed %q", out)
	}
	if !alive(pid) {
		t.Fatal("child not running")
	}
	if err := parent.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatal("child outlived its SIGKILLed parent")
	}
}

// A mesh that cannot start says why and leaves nothing running.
func TestStartFailureCleansUp(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(helperEnv, "exit")
	exe, _ := os.Executable()
	_, err := Start(context.Background(), Config{Spec: Bookinfo(), Binary: exe, Dir: dir, FirstBlock: MaxBlock - 10, ReadyTimeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "control-plane exited before serving xDS") {
		t.Fatalf("got %v, want the control plane's early exit", err)
	}
	l, err := acquire(MaxBlock-10, 6)
	if err != nil {
		t.Fatalf("address block not released: %v", err)
	}
	l.release()
}
