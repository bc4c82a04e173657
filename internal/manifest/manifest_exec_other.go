//go:build !unix

package manifest

import "os/exec"

// setProcessGroup leaves cmd as it is: without Unix process groups, the cancellation of cmd's
// context kills the program alone (exec.Cmd's default), and WaitDelay bounds the wait for any
// descendant that keeps its output open.
func setProcessGroup(*exec.Cmd) {}

// runContained is cmd.Run: the program's descendants are not tracked on this system.
func runContained(cmd *exec.Cmd) error { return cmd.Run() }

// KillProcesses does nothing on this system.
func KillProcesses() {}
