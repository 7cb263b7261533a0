package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
)

// binDir holds the binary built for this test run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "canonic-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	chserver.StopShared()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built is the binary, built once per test run by the first test that
// needs it.
var built struct {
	once sync.Once
	path string
	err  error
}

// runTimeout bounds one run of the binary.
const runTimeout = 2 * time.Minute

// backfillBinary builds cmd/backfill-connectwise-tickets with CGO_ENABLED=0
// (chDB is loaded at run time, without cgo) and returns its path.
func backfillBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			built.err = err
			return
		}
		gobin, err := exec.LookPath("go")
		if err != nil {
			gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		out := filepath.Join(binDir, "backfill-connectwise-tickets")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, gobin, "build", "-o", out, "./cmd/backfill-connectwise-tickets")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/backfill-connectwise-tickets: %v\n%s", err, msg)
			return
		}
		built.path = out
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// result is one finished run of the binary.
type result struct {
	args           []string
	code           int // -1 when killed
	stdout, stderr string
	wall           time.Duration // from start to exit
	killed         bool          // ended by our SIGKILL
}

func (r result) String() string {
	return fmt.Sprintf("backfill %s: exit %d after %v\n--- stdout:\n%s--- stderr:\n%s",
		strings.Join(r.args, " "), r.code, r.wall.Round(time.Millisecond), r.stdout, tail(r.stderr, 40))
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = append([]string{"...\n"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "")
}

// command prepares a run of the binary for tenant on tg against cw.
func command(t testing.TB, ctx context.Context, tg *target, cw *cwServer, tenant string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer, []string) {
	t.Helper()
	bin := backfillBinary(t)
	tg.release() // chDB: the binary needs the data directory to itself
	all := append([]string{"--tenant", tenant}, tg.flags()...)
	all = append(all, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Dir = tg.workDir
	cmd.Env = append(os.Environ(),
		connectwise.EnvURL+"="+cw.url,
		connectwise.EnvCompany+"="+cwCompany,
		connectwise.EnvPublicKey+"="+cwPublicKey,
		connectwise.EnvPrivateKey+"="+cwPrivateKey,
		connectwise.EnvClientID+"="+cwClientID,
		"CLICKHOUSE_DSN=",
	)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb, all
}

// backfill runs the binary to completion.
func backfill(t testing.TB, tg *target, cw *cwServer, tenant string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd, out, errb, all := command(t, ctx, tg, cw, tenant, args...)
	start := time.Now()
	err := cmd.Run()
	r := result{args: all, stdout: out.String(), stderr: errb.String(), wall: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		t.Fatalf("backfill %s: %v (timeout %v)\nstdout:\n%s\nstderr:\n%s", strings.Join(all, " "), err, runTimeout, r.stdout, tail(r.stderr, 40))
	}
	checkNoSecrets(t, r)
	return r
}

// mustBackfill is backfill that fails the test unless the run exits 0.
func mustBackfill(t testing.TB, tg *target, cw *cwServer, tenant string, args ...string) result {
	t.Helper()
	r := backfill(t, tg, cw, tenant, args...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	return r
}

// backfillKilled starts the binary and sends it SIGKILL delay after it
// asked cw for its first page of tickets, unless it exits by itself first.
// (Timing from the first page, not from the start, keeps the engine's
// start-up time out of where the kill lands.)
func backfillKilled(t testing.TB, tg *target, cw *cwServer, tenant string, delay time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd, out, errb, all := command(t, ctx, tg, cw, tenant, args...)
	listed := cw.nextList()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	killed := false
	exited := false
	select {
	case err = <-done:
		exited = true
	case <-listed:
		select {
		case err = <-done:
			exited = true
		case <-time.After(delay):
		}
	}
	if !exited {
		if kerr := cmd.Process.Signal(syscall.SIGKILL); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
			t.Fatal(kerr)
		}
		err = <-done
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				killed = true
			}
		}
	}
	r := result{args: all, stdout: out.String(), stderr: errb.String(), wall: time.Since(start), killed: killed}
	var ee *exec.ExitError
	switch {
	case killed:
		r.code = -1
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		t.Fatalf("backfill %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(all, " "), err, r.stdout, tail(r.stderr, 40))
	}
	checkNoSecrets(t, r)
	return r
}

// checkNoSecrets fails the test when a run printed a secret.
func checkNoSecrets(t testing.TB, r result) {
	t.Helper()
	for _, secret := range []string{cwPrivateKey, chserver.LoaderPassword} {
		if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
			t.Errorf("the output of backfill %s shows a secret", strings.Join(r.args, " "))
		}
	}
}

// summaryKeys are the summary lines the binary prints, in order.
var summaryKeys = []string{"records read", "new keys", "changed", "unchanged", "closed", "rejected", "duplicates", "rows written", "time taken"}

// summary is a parsed summary: the first field of each line, and the rate
// in parentheses where there is one.
type summary struct {
	values map[string]string
	rates  map[string]string
}

// parseSummary reads the summary on a run's stdout; every line must be
// there.
func parseSummary(t testing.TB, r result) summary {
	t.Helper()
	s := summary{values: map[string]string{}, rates: map[string]string{}}
	for _, line := range strings.Split(r.stdout, "\n") {
		line = strings.TrimSpace(line)
		for _, k := range summaryKeys {
			rest, ok := strings.CutPrefix(line, k+" ")
			if !ok {
				continue
			}
			f := strings.Fields(rest)
			if len(f) == 0 {
				continue
			}
			s.values[k] = f[0]
			if len(f) > 1 {
				s.rates[k] = strings.Trim(f[1], "()")
			}
		}
	}
	for _, k := range summaryKeys {
		if _, ok := s.values[k]; !ok {
			t.Fatalf("summary has no %q line\n%s", k, r)
		}
	}
	return s
}

// n returns the count on the summary line k.
func (s summary) n(t testing.TB, k string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(s.values[k], 10, 64)
	if err != nil {
		t.Fatalf("summary %s = %q: %v", k, s.values[k], err)
	}
	return v
}

// expect checks summary counts; a negative want is not checked.
func (s summary) expect(t testing.TB, r result, want map[string]int64) {
	t.Helper()
	for _, k := range summaryKeys {
		w, ok := want[k]
		if !ok || w < 0 {
			continue
		}
		if got := s.n(t, k); got != w {
			t.Errorf("summary %s = %d, want %d\n%s", k, got, w, r.stdout)
		}
	}
}
