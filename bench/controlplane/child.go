package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// childEnv carries a childSpec to the control-plane process the benchmark
// starts: the benchmark binary re-executes itself, so the control plane's
// memory and CPU are measured apart from the simulated proxies'.
const childEnv = "LOOM_BENCH_CONTROL_PLANE"

// childSpec says which control plane to run and where.
type childSpec struct {
	Impl          string        `json:"impl"` // "loom" or "naive"
	ConfigDir     string        `json:"config_dir"`
	XDSAddress    string        `json:"xds_address"`
	StatsAddress  string        `json:"stats_address"`
	AdminAddress  string        `json:"admin_address"`
	DebounceQuiet time.Duration `json:"debounce_quiet"`
	DebounceMax   time.Duration `json:"debounce_max"`
}

// child is a running control-plane process.
type child struct {
	spec      childSpec
	cmd       *exec.Cmd
	done      chan error
	exited    chan struct{}
	overLimit atomic.Bool // killed by guard
}

func startChild(ctx context.Context, spec childSpec, logPath string) (*child, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	spec.XDSAddress, spec.StatsAddress, spec.AdminAddress = ports[0], ports[1], ports[2]
	b, _ := json.Marshal(spec)
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	c := &child{spec: spec, cmd: cmd, done: make(chan error, 1), exited: make(chan struct{})}
	go func() {
		c.done <- cmd.Wait()
		close(c.exited)
		logFile.Close()
	}()
	if err := c.waitReady(ctx); err != nil {
		c.stop()
		return nil, fmt.Errorf("%s control plane (log: %s): %w", spec.Impl, logPath, err)
	}
	return c, nil
}

func (c *child) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		resp, err := http.Get("http://" + c.spec.StatsAddress + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-c.done:
			return fmt.Errorf("exited: %v", err)
		case <-ctx.Done():
			return errors.New("not ready after 60 s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// guard kills the control plane if its resident set grows past limit bytes,
// so a baseline that does not scale cannot exhaust a shared machine's memory.
func (c *child) guard(limit uint64) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-c.exited:
			return
		case <-t.C:
		}
		if rss, err := c.rss(); err == nil && rss > limit {
			c.overLimit.Store(true)
			_ = c.cmd.Process.Kill()
			return
		}
	}
}

// peakRSS returns the process's peak resident set size (VmHWM).
func (c *child) peakRSS() (uint64, error) { return c.statusKB("VmHWM:") }

// heap returns the live heap after a full GC.
func (c *child) heap() (uint64, error) {
	ms, err := c.memStats()
	return ms.HeapAlloc, err
}

func (c *child) memStats() (memStats, error) {
	var ms memStats
	resp, err := http.Get("http://" + c.spec.StatsAddress + "/heap")
	if err != nil {
		return ms, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&ms)
	return ms, err
}

// cpu returns the process's user+system CPU time so far.
func (c *child) cpu() (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.cmd.Process.Pid), "stat"))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start at state (3).
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseUint(fields[11], 10, 64)
	stime, _ := strconv.ParseUint(fields[12], 10, 64)
	const ticks = 100 // USER_HZ
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// rss returns the process's resident set size.
func (c *child) rss() (uint64, error) { return c.statusKB("VmRSS:") }

// statusKB reads one "<field> <n> kB" line of /proc/<pid>/status, in bytes.
func (c *child) statusKB(field string) (uint64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(c.cmd.Process.Pid), "status"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no " + field)
}

func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func freePorts(n int) ([]string, error) {
	var addrs []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// profile starts a CPU profile of the control plane, written to path (in
// the control plane's process) until the returned function is called.
func (c *child) profile(path string) (func() error, error) {
	if err := c.post("/cpuprofile/start?path=" + url.QueryEscape(path)); err != nil {
		return nil, err
	}
	return func() error { return c.post("/cpuprofile/stop") }, nil
}

func (c *child) post(pathAndQuery string) error {
	resp, err := http.Post("http://"+c.spec.StatsAddress+pathAndQuery, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s: %s", pathAndQuery, resp.Status, strings.TrimSpace(string(b)))
	}
	return nil
}
