package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// snapshot is every file (content and mode) and directory under root.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = info.Mode().String() + " " + string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: %s is gone", what, k)
		} else if g != want[k] {
			t.Errorf("%s: %s changed:\n was %q\n now %q", what, k, want[k], g)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s appeared", what, k)
		}
	}
}

// secondGeneration sets up root as generated once, with a file that the
// next generation prunes, and returns the next generation's changes: a
// changed cmd/ main.go (written first, in path order), a changed and a new
// file in generated/, a new file in a new directory, and a stale file.
func secondGeneration(t *testing.T, root string) []Change {
	t.Helper()
	out := tree()
	if err := Apply(root, plan(t, root, out)); err != nil {
		t.Fatal(err)
	}
	write(t, root, "generated/s/gone/row.go", goHeader+"\npackage gone\n")
	if err := os.Chmod(filepath.Join(root, "generated/s/t/t.sql"), 0o640); err != nil {
		t.Fatal(err)
	}
	out["cmd/backfill-s-t/main.go"] = []byte(goHeader + "\npackage main\n\nfunc main() { run() }\n")
	out["generated/s/t/t.sql"] = []byte(sqlHeader + "CREATE TABLE t (a Int64, b String) ENGINE = Memory;\n")
	out["generated/s/t/new.go"] = []byte(goHeader + "\npackage t\n")
	out["generated/s/u/deep/u.go"] = []byte(goHeader + "\npackage deep\n")
	changes := plan(t, root, out)
	want := []string{"changed cmd/backfill-s-t/main.go", "stale generated/s/gone/row.go", "new generated/s/t/new.go", "changed generated/s/t/t.sql", "new generated/s/u/deep/u.go"}
	if got := summary(changes); !slices.Equal(got, want) {
		t.Fatalf("Plan = %q, want %q", got, want)
	}
	return changes
}

// faultyDisk fails the operations fail picks: op is "mkdir", "write",
// "rename" or "remove", n counts operations from 1, and path is the
// directory made or written in, the file removed, or a rename's target.
type faultyDisk struct {
	osDisk
	fail  func(op string, n int, path string) bool
	calls int
}

var errInjected = errors.New("injected I/O error")

func (d *faultyDisk) check(op, path string) error {
	d.calls++
	if d.fail != nil && d.fail(op, d.calls, path) {
		return errInjected
	}
	return nil
}

func (d *faultyDisk) MkdirAll(dir string) error {
	if err := d.check("mkdir", dir); err != nil {
		return err
	}
	return d.osDisk.MkdirAll(dir)
}

func (d *faultyDisk) WriteTemp(dir string, data []byte, perm fs.FileMode) (string, error) {
	if err := d.check("write", dir); err != nil {
		return "", err
	}
	return d.osDisk.WriteTemp(dir, data, perm)
}

func (d *faultyDisk) Rename(from, to string) error {
	if err := d.check("rename", to); err != nil {
		return err
	}
	return d.osDisk.Rename(from, to)
}

func (d *faultyDisk) Remove(name string) error {
	if err := d.check("remove", name); err != nil {
		return err
	}
	return d.osDisk.Remove(name)
}

// TestApplyAllOrNothing fails each file system operation of Apply in
// turn, staging and renaming alike: every failure leaves the tree byte
// for byte (and mode for mode) as it was, with no temporary file or new
// directory left behind. A failure only while cleaning up after success
// leaves the new generation in place.
func TestApplyAllOrNothing(t *testing.T) {
	clean := &faultyDisk{}
	cleanRoot := t.TempDir()
	if err := apply(clean, cleanRoot, secondGeneration(t, cleanRoot)); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= clean.calls; n++ {
		root := t.TempDir()
		changes := secondGeneration(t, root)
		before := snapshot(t, root)
		d := &faultyDisk{fail: func(_ string, i int, _ string) bool { return i == n }}
		err := apply(d, root, changes)
		if err == nil {
			if got := plan(t, root, nextOut(t, root, changes)); len(got) != 0 {
				t.Errorf("operation %d of %d failed, Apply succeeded, yet Plan = %q", n, clean.calls, summary(got))
			}
			continue
		}
		if !strings.Contains(err.Error(), errInjected.Error()) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("operation %d failed: Apply = %v, want the cause and that nothing was changed", n, err)
		}
		sameTree(t, fmt.Sprintf("operation %d of %d failing", n, clean.calls), before, snapshot(t, root))
	}
}

// nextOut is the generation changes lead to: root's owned files with the
// changes applied.
func nextOut(t *testing.T, root string, changes []Change) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, c := range changes {
		if c.Kind != "stale" {
			out[c.Path] = c.New
		}
	}
	existing, err := ownedFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range existing {
		if _, ok := out[name]; !ok && !slices.ContainsFunc(changes, func(c Change) bool { return c.Path == name }) {
			data, err := os.ReadFile(filepath.Join(root, name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = data
		}
	}
	return out
}

// TestApplyRestoreFailureKeepsBackups: when putting a replaced file back
// fails too, the error says where its previous content is kept.
func TestApplyRestoreFailureKeepsBackups(t *testing.T) {
	root := t.TempDir()
	changes := secondGeneration(t, root)
	main := filepath.Join(root, "cmd", "backfill-s-t", "main.go")
	renamesToMain := 0
	d := &faultyDisk{fail: func(op string, _ int, path string) bool {
		if op != "rename" {
			return false
		}
		if path == main {
			renamesToMain++
			return renamesToMain == 2 // putting the backup back
		}
		return strings.HasSuffix(path, "t.sql")
	}}
	err := apply(d, root, changes)
	if err == nil || !strings.Contains(err.Error(), "restoring the files already written failed too") {
		t.Fatalf("Apply = %v", err)
	}
	_, kept, _ := strings.Cut(err.Error(), "kept in ")
	backup := strings.TrimSuffix(kept, ")")
	data, rerr := os.ReadFile(backup)
	if rerr != nil || !strings.Contains(string(data), "func main() {}") {
		t.Errorf("backup %q = %q, %v; want the previous main.go", backup, data, rerr)
	}
}

// TestApplyRealFailureMidway fails on the real file system after cmd/
// was written (it sorts first): a directory that is a file, and, when not
// running as root, a read-only directory. Once, cmd/backfill-*/main.go
// was left written without its generated package.
func TestApplyRealFailureMidway(t *testing.T) {
	for _, c := range []struct {
		name   string
		break_ func(t *testing.T, root string) (undo func())
	}{
		{"a file where a directory goes", func(t *testing.T, root string) func() {
			write(t, root, "generated/s/u", "not a directory\n")
			return func() {}
		}},
		{"read-only directory", func(t *testing.T, root string) func() {
			if os.Geteuid() == 0 {
				t.Skip("root writes into read-only directories")
			}
			dir := filepath.Join(root, "generated", "s", "t")
			if err := os.Chmod(dir, 0o555); err != nil {
				t.Fatal(err)
			}
			return func() { os.Chmod(dir, 0o755) }
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			changes := secondGeneration(t, root)
			undo := c.break_(t, root)
			defer undo()
			before := snapshot(t, root)
			err := Apply(root, changes)
			sameTree(t, c.name, before, snapshot(t, root))
			if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
				t.Errorf("Apply = %v, want an error saying nothing was changed", err)
			}
		})
	}
}
