package compiler

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/canonic-data/canonic/gen/diag"
)

// TestProjectTreeRead pins what read refuses, and that a refusal is bad
// input (exit 2) while a missing file is also fs.ErrNotExist.
func TestProjectTreeRead(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	for name, data := range map[string]string{"a.yaml": "x: 1\n", "big.yaml": "0123456789", "sub/b.yaml": "y: 2\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"in.yaml": "sub/b.yaml", "out.yaml": filepath.Join(outside, "secret"), "up.yaml": "../" + filepath.Base(outside) + "/secret"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := openTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	for _, c := range []struct {
		rel, want string // want: the content, or the error
	}{
		{"a.yaml", "x: 1\n"},
		{"sub/../a.yaml", "x: 1\n"},
		{"in.yaml", "y: 2\n"},
		{"big.yaml", "big.yaml is larger than 9 bytes, the cap on tests: the compiler does not read it; split or trim it"},
		{"missing.yaml", "missing.yaml does not exist"},
		{"sub", "sub is a directory, not a regular file: the compiler reads only regular files"},
		{"../a.yaml", "../a.yaml is outside the project root: the compiler reads only files inside the project"},
		{"out.yaml", "out.yaml leads outside the project root through a symlink: the compiler reads only files inside the project; copy the file in instead"},
		{"up.yaml", "up.yaml leads outside the project root through a symlink: the compiler reads only files inside the project; copy the file in instead"},
	} {
		limit := int64(9)
		data, err := tree.read(c.rel, limit, "tests")
		if err == nil {
			if string(data) != c.want {
				t.Errorf("read(%s) = %q, want %q", c.rel, data, c.want)
			}
			continue
		}
		if err.Error() != c.want {
			t.Errorf("read(%s): %v\nwant %s", c.rel, err, c.want)
		}
		if !errors.Is(err, diag.ErrBadInput) {
			t.Errorf("read(%s): %v is not bad input", c.rel, err)
		}
		if errors.Is(err, fs.ErrNotExist) != (c.rel == "missing.yaml") {
			t.Errorf("read(%s): errors.Is(fs.ErrNotExist) = %v", c.rel, errors.Is(err, fs.ErrNotExist))
		}
	}
}
