package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckCleanTellsNewFromChanged runs .ci/check-clean (the last step of
// make check-generated) on a scratch repository: files git does not track
// yet are "new files" to add, tracked files that differ are "changed files"
// to commit, and a clean tree passes.
func TestCheckCleanTellsNewFromChanged(t *testing.T) {
	script, err := filepath.Abs("../../.ci/check-clean")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "generated", "a.go"), "package a\n")
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "a")
	check := func() (int, string) {
		cmd := exec.Command(script, "generated")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := check(); code != 0 || out != "" {
		t.Fatalf("clean tree: exit %d, %q", code, out)
	}

	writeFile(t, filepath.Join(dir, "generated", "b", "b.go"), "package b\n")
	code, out := check()
	want := "new files, not in git yet (git add them, then commit):\n  generated/b/b.go\n"
	if code != 1 || out != want {
		t.Errorf("untracked only: exit %d, got\n%s\nwant\n%s", code, out, want)
	}

	if err := os.WriteFile(filepath.Join(dir, "generated", "a.go"), []byte("package a // edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = check()
	if code != 1 || !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "changed files (commit them):\n   M generated/a.go\n") {
		t.Errorf("untracked and modified: exit %d, got\n%s", code, out)
	}
}
