package mesh

import "syscall"

// childAttr puts each child in its own process group (so a terminal's Ctrl-C
// reaches only the launcher, which then stops the mesh in order) and has the
// kernel SIGKILL it if the launcher dies, so no child outlives its parent.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
