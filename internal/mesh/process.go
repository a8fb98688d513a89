package mesh

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is one child process of the mesh. It can be stopped and started
// again (the control plane is restarted that way); its output is appended to
// one log file across restarts.
type Process struct {
	Name    string
	bin     string
	args    []string
	logPath string
	// onExit is told when the process exits without being asked to.
	onExit func(p *Process, err error)

	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{} // closed when the current run has exited
	waitErr  error
	stopping bool
}

func newProcess(name, bin string, args []string, logPath string, onExit func(*Process, error)) *Process {
	done := make(chan struct{})
	close(done)
	return &Process{Name: name, bin: bin, args: args, logPath: logPath, onExit: onExit, done: done}
}

// Args are the process's arguments, without the binary.
func (p *Process) Args() []string { return p.args }

// Start runs the process. It fails if the process is already running.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
	default:
		return fmt.Errorf("%s: already running (pid %d)", p.Name, p.cmd.Process.Pid)
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%s: log: %w", p.Name, err)
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("%s: start %s: %w", p.Name, p.bin, err)
	}
	p.cmd, p.done, p.waitErr, p.stopping = cmd, make(chan struct{}), nil, false
	go p.wait(cmd, logf, p.done)
	return nil
}

// wait owns the child until it exits; it is the only goroutine a Process starts.
func (p *Process) wait(cmd *exec.Cmd, logf *os.File, done chan struct{}) {
	err := cmd.Wait()
	logf.Close()
	p.mu.Lock()
	p.waitErr = err
	stopping := p.stopping
	p.mu.Unlock()
	close(done)
	if !stopping && p.onExit != nil {
		p.onExit(p, err)
	}
}

// Done is closed when the current run has exited.
func (p *Process) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// Pid is the current (or last) run's process id, 0 if never started.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// ErrKilled is returned by Stop when a process outlived its grace period
// after SIGTERM and had to be killed.
var ErrKilled = errors.New("did not exit after SIGTERM; killed")

// Stop sends SIGTERM, waits up to grace, then SIGQUITs (a Go program dumps its
// goroutines) and SIGKILLs, and says so with ErrKilled; it returns once the
// process has exited. Stopping a process that
// is not running does nothing.
func (p *Process) Stop(grace time.Duration) error {
	return p.signalAndWait(syscall.SIGTERM, grace)
}

// Kill SIGKILLs the process (a crash, as far as the rest of the mesh can tell)
// and waits for it to exit.
func (p *Process) Kill() error {
	return p.signalAndWait(syscall.SIGKILL, 0)
}

func (p *Process) signalAndWait(sig syscall.Signal, grace time.Duration) error {
	p.mu.Lock()
	done, cmd := p.done, p.cmd
	select {
	case <-done:
		p.mu.Unlock()
		return nil
	default:
	}
	p.stopping = true
	p.mu.Unlock()
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: %v: %w", p.Name, sig, err)
	}
	if sig != syscall.SIGKILL {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-done:
			return nil
		case <-t.C:
			p.quitThenKill(cmd, done)
			return fmt.Errorf("%s (pid %d) %w (grace %v); its goroutines are in %s", p.Name, cmd.Process.Pid, ErrKilled, grace, p.logPath)
		}
	}
	<-done
	return nil
}

// quitThenKill sends SIGQUIT, which makes a Go program write every
// goroutine's stack to its log before exiting, and SIGKILLs it if it is still
// there a second later.
func (p *Process) quitThenKill(cmd *exec.Cmd, done <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGQUIT)
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		_ = cmd.Process.Kill()
		<-done
	}
}

// ExitErr is how the last run ended (nil while running or after a clean exit).
func (p *Process) ExitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waitErr
}

// Log returns everything the process has written so far.
func (p *Process) Log() ([]byte, error) { return os.ReadFile(p.logPath) }

// LogPath is the file the process's stdout and stderr go to.
func (p *Process) LogPath() string { return p.logPath }

// LogTail returns the last n lines of the log, for error messages.
func (p *Process) LogTail(n int) string {
	b, err := p.Log()
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(string(bytes.Join(lines, []byte("\n"))))
}
