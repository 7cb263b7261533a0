//go:build linux

package chserver

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// sysProcAttr asks the kernel to SIGKILL the server when the thread that
// started it exits, so a test binary that dies does not leave it running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// Pdeathsig fires when the starting OS thread exits, not the process, and
// the Go runtime may end threads. All servers are therefore started from
// one goroutine locked to its thread that never returns, so that thread
// lives as long as the process.
var (
	spawnOnce sync.Once
	spawnReqs chan spawnReq
)

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// startCmd starts cmd from the spawner thread.
func startCmd(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnReqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread()
			for r := range spawnReqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	r := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnReqs <- r
	return <-r.done
}
