package chserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Start starts a server for one test or benchmark. It is stopped and its
// directory removed when tb ends; if tb failed, the tail of the server's
// error log is logged first. Without a server binary the test is skipped
// with InstallHint, or fails when the environment has CI=true.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := StartProcess("", opts...)
	if err != nil {
		failOrSkip(tb, err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("clickhouse-server log tail (%s):\n%s", s.Dir, s.LogTail(30))
		}
		s.Stop()
	})
	return s
}

// dbSeq numbers the databases TempDatabase creates.
var dbSeq atomic.Int64

// DatabaseName returns prefix, then tb's name in lowercase letters, digits
// and underscores (clipped), then a number unique in this process: a
// database name no other test of the process uses.
func DatabaseName(prefix string, tb testing.TB) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range strings.ToLower(tb.Name()) {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return fmt.Sprintf("%s_%d", b.String(), dbSeq.Add(1))
}

// TempDatabase creates a database with a name unique to this server's
// process, drops it when tb ends, and returns the name. It lets tests
// share one server, even in parallel, without seeing each other's tables.
func (s *Server) TempDatabase(tb testing.TB) string {
	tb.Helper()
	name := DatabaseName("t_", tb)
	ctx := context.Background()
	if _, err := s.Query(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if s.Running() {
			if _, err := s.Query(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
				tb.Errorf("drop test database: %v", err)
			}
		}
	})
	return name
}

// shared is the one server per test binary behind Shared.
var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Shared returns the test binary's shared server, starting it on first
// use. Stop it with StopShared, or let Main do so. Without a server
// binary the test is skipped, or fails when the environment has CI=true.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	shared.once.Do(func() {
		shared.srv, shared.err = StartProcess("")
	})
	if shared.err != nil {
		failOrSkip(tb, shared.err)
	}
	return shared.srv
}

// StopShared stops the shared server if Shared started one.
func StopShared() {
	if shared.srv != nil {
		shared.srv.Stop()
	}
}

// Main runs the tests, stops the shared server and exits with the tests'
// code. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// failOrSkip ends tb for a start error: a missing binary skips (fails with
// CI=true), anything else fails.
func failOrSkip(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true" {
		tb.Skip(err)
	}
	tb.Fatal(err)
}
