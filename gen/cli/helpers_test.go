package cli_test

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/canonic-data/canonic/gen/cli"
)

// update rewrites the expected files of the golden and bad cases:
//
//	go test ./gen/cli -run 'Golden|Bad' -update
var update = flag.Bool("update", false, "rewrite testdata/golden/*/want and testdata/bad/*/stderr.txt")

// modulePath is this repository's module; scratch projects live inside it
// so that their generated Go builds against internal/ packages.
const modulePath = "github.com/canonic-data/canonic"

// buildDirRel is where tests assemble scratch projects, relative to this
// package's directory. The underscore keeps ./... patterns away from it;
// its .gitignore keeps it out of commits.
const buildDirRel = "testdata/_build"

// repoRoot is the module root (the directory holding go.mod).
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// scratch returns an empty directory testdata/_build/<name> inside the
// module and the import path of a module rooted there. The directory is
// removed when t passes and kept for inspection when it fails.
func scratch(t testing.TB, name string) (dir, module string) {
	t.Helper()
	return scratchOwnedBy(t, t, name)
}

// scratchOwnedBy is scratch with the directory's lifetime tied to owner
// (a parent test that still needs the directory after t ends).
func scratchOwnedBy(t, owner testing.TB, name string) (dir, module string) {
	t.Helper()
	base, err := filepath.Abs(buildDirRel)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	ignore := filepath.Join(base, ".gitignore")
	if _, err := os.Stat(ignore); err != nil {
		if err := os.WriteFile(ignore, []byte("# Scratch projects of the gen/cli tests (golden, bad, determinism); never committed.\n*\n!.gitignore\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir = filepath.Join(base, name)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	owner.Cleanup(func() {
		if !owner.Failed() {
			os.RemoveAll(dir)
		}
	})
	return dir, modulePath + "/gen/cli/" + buildDirRel + "/" + name
}

// prepareProject copies a case directory (everything but its expectations)
// into dir and supplies the real project's mappings/project.yaml and
// mappings/sources/ when the case has none.
func prepareProject(t testing.TB, caseDir, dir string) {
	t.Helper()
	skip := map[string]bool{"want": true, "stderr.txt": true}
	entries, err := os.ReadDir(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if skip[e.Name()] {
			continue
		}
		copyTree(t, filepath.Join(caseDir, e.Name()), filepath.Join(dir, e.Name()))
	}
	real := filepath.Join(repoRoot(t), "mappings")
	if _, err := os.Stat(filepath.Join(dir, "mappings", "project.yaml")); os.IsNotExist(err) {
		copyTree(t, filepath.Join(real, "project.yaml"), filepath.Join(dir, "mappings", "project.yaml"))
	}
	if _, err := os.Stat(filepath.Join(dir, "mappings", "sources")); os.IsNotExist(err) {
		copyTree(t, filepath.Join(real, "sources"), filepath.Join(dir, "mappings", "sources"))
	}
}

// copyTree copies a file or a directory tree.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readTree reads every file under root/sub for each sub (missing subs are
// empty), keyed by slash path relative to root.
func readTree(t testing.TB, root string, subs ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if len(subs) == 0 {
		subs = []string{"."}
	}
	for _, sub := range subs {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && p == filepath.Join(root, sub) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = data
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// writeTree replaces dir with the files of tree.
func writeTree(t testing.TB, dir string, tree map[string][]byte) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for name, data := range tree {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// treeDiff describes every difference between two trees: missing and
// extra files, and a unified diff of each differing file. "" means equal.
func treeDiff(wantName string, want map[string][]byte, gotName string, got map[string][]byte) string {
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		w, inWant := want[n]
		g, inGot := got[n]
		switch {
		case !inGot:
			fmt.Fprintf(&b, "missing: %s is in %s but was not produced\n", n, wantName)
		case !inWant:
			fmt.Fprintf(&b, "extra: %s was produced but is not in %s\n", n, wantName)
		case !bytes.Equal(w, g):
			text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
				A: difflib.SplitLines(string(w)), B: difflib.SplitLines(string(g)),
				FromFile: wantName + "/" + n, ToFile: gotName + "/" + n, Context: 2,
			})
			fmt.Fprintf(&b, "different: %s\n%s", n, text)
		}
	}
	return b.String()
}

// caseNames lists the case directories under testdata/<kind>.
func caseNames(t testing.TB, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", kind))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatalf("no cases in testdata/%s", kind)
	}
	return out
}

// run calls the CLI and returns its exit code, stdout and stderr.
func run(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}
