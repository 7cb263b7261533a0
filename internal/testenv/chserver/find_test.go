package chserver

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recTB records Skip and Fatal instead of ending the test.
type recTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recTB) Helper() {}

func (r *recTB) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	panic(r)
}

func (r *recTB) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	panic(r)
}

// startWith runs Start against a recTB and reports what it did.
func startWith(t *testing.T) *recTB {
	r := &recTB{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != r {
				panic(p)
			}
		}()
		srv := Start(r)
		srv.Stop()
	}()
	return r
}

func TestMissingBinarySkipsOrFails(t *testing.T) {
	old := binDirs
	binDirs = nil
	t.Cleanup(func() { binDirs = old })
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CLICKHOUSE_SERVER_BIN", "")

	if _, err := FindBinary(); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("FindBinary with nothing installed: %v, want ErrNotInstalled", err)
	}

	t.Setenv("CI", "")
	if r := startWith(t); !r.skipped || r.failed || !strings.Contains(r.msg, "install-clickhouse.sh") {
		t.Errorf("without CI: skipped=%v failed=%v msg=%q, want a skip naming the install script", r.skipped, r.failed, r.msg)
	}
	t.Setenv("CI", "true")
	if r := startWith(t); r.skipped || !r.failed || !strings.Contains(r.msg, "not installed") {
		t.Errorf("with CI=true: skipped=%v failed=%v msg=%q, want a failure", r.skipped, r.failed, r.msg)
	}
}
