//go:build !linux

package mesh

import "syscall"

// childAttr puts each child in its own process group. Outside Linux there is
// no parent-death signal: children of a launcher that crashes must be stopped by hand.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
