//go:build !unix

package main

import "os/exec"

// setProcessGroup leaves cmd as it is: without Unix process groups, the cancellation of cmd's
// context kills the program alone (exec.Cmd's default), and WaitDelay bounds the wait for any
// descendant that keeps its output open.
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup does nothing without Unix process groups.
func killProcessGroup(*exec.Cmd) error { return nil }
