package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a child process the harness owns; it dies with the harness.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func startProcess(ctx context.Context, logDir, name string, argv ...string) (*process, error) {
	logFile, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("%s: log file: %w", name, err)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, argv[0], err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM and waits, then kills.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// usage is the CPU time and memory of a process and its children (nginx workers).
type usage struct {
	cpu     time.Duration
	peakRSS int64 // bytes, VmHWM: the high-water mark of all resident pages
	anonRSS int64 // bytes, RssAnon now: the private part, not shared with other processes of the same binary
}

// readUsage sums utime+stime over pid and its direct children (nginx's
// workers) and takes the largest VmHWM and RssAnon among them: the memory of
// the process that carries the traffic, comparable to one Loom proxy process.
func readUsage(pid int) (usage, error) {
	pids := append([]int{pid}, childPIDs(pid)...)
	var u usage
	for _, p := range pids {
		cpu, err := cpuTime(p)
		if err != nil {
			return usage{}, err
		}
		mem, err := memoryOf(p)
		if err != nil {
			return usage{}, err
		}
		u.cpu += cpu
		u.peakRSS = max(u.peakRSS, mem.peakRSS)
		u.anonRSS = max(u.anonRSS, mem.anonRSS)
	}
	return u, nil
}

// clockTicks is USER_HZ, 100 on Linux.
const clockTicks = 100

func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// memoryOf reads VmHWM and RssAnon from /proc/PID/status; only those two
// fields of the result are set.
func memoryOf(pid int) (usage, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return usage{}, err
	}
	defer f.Close()
	fields := map[string]*int64{}
	var u usage
	fields["VmHWM:"], fields["RssAnon:"] = &u.peakRSS, &u.anonRSS
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), "\t")
		dst, ok := fields[name]
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return usage{}, fmt.Errorf("/proc/%d/status: %s %w", pid, name, err)
		}
		*dst = kb * 1024
		delete(fields, name)
	}
	if len(fields) > 0 {
		return usage{}, fmt.Errorf("/proc/%d/status: no %v", pid, slices.Collect(maps.Keys(fields)))
	}
	return u, sc.Err()
}

func childPIDs(pid int) []int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// waitTCP polls addr until it accepts a connection or ctx ends.
func waitTCP(ctx context.Context, addr string) error {
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", addr, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
