//go:build unix && !linux

package manifest

import "syscall"

// setDeathSignal does nothing: only Linux has a parent-death signal.
func setDeathSignal(*syscall.SysProcAttr) {}

// enableSubreaper does nothing: only Linux has child subreapers.
func enableSubreaper() {}

// waitExited reports false: there is no portable way to wait for a child's exit without
// reaping it.
func waitExited(int) bool { return false }

// sweep does nothing: without a subreaper, a descendant that leaves the process group is
// adopted by init and out of reach.
func sweep() {}

// killDescendantsLocked does nothing, for the same reason.
func killDescendantsLocked() {}
