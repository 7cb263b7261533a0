package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Apply writes new and changed files and removes stale ones (and the
// directories they leave empty), all or nothing. It stages first: every
// new content is written to a temporary file next to its target, and
// every file about to be replaced is backed up beside it, so a failure
// while staging (a full disk, a read-only or immutable directory) changes
// nothing. It then renames the staged files into place (a reader never
// sees half a file); when one rename fails midway, the files already
// replaced are restored from their backups, those added removed and those
// pruned put back, so the tree is as it was before. The error says so, or,
// if restoring failed too, where the backups were kept.
func Apply(root string, changes []Change) error {
	return apply(osDisk{}, root, changes)
}

// disk is what Apply does to the file system; tests inject failures.
type disk interface {
	MkdirAll(dir string) error
	// WriteTemp writes data to a new file named .canonic-* in dir, with
	// mode perm, and returns its path.
	WriteTemp(dir string, data []byte, perm fs.FileMode) (string, error)
	Rename(from, to string) error
	Remove(name string) error
}

type osDisk struct{}

func (osDisk) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func (osDisk) WriteTemp(dir string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".canonic-*")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	if err := os.Chmod(f.Name(), perm); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (osDisk) Rename(from, to string) error { return os.Rename(from, to) }
func (osDisk) Remove(name string) error     { return os.Remove(name) }

// staged is one change ready to be put in place.
type staged struct {
	Change
	full string
	// temp holds the new content (new and changed files).
	temp string
	// backup holds the old content of a changed file, or is the name a
	// stale file is moved to; it is removed once everything is in place.
	backup string
}

func apply(d disk, root string, changes []Change) error {
	var (
		steps []*staged
		made  []string // directories Apply created, parents first
	)
	// discard removes the temporary files and backups still present and
	// the directories Apply created, if they are empty.
	discard := func(keep map[string]bool) {
		for _, s := range steps {
			for _, p := range []string{s.temp, s.backup} {
				if p != "" && !keep[p] {
					d.Remove(p)
				}
			}
		}
		for i := len(made) - 1; i >= 0; i-- {
			d.Remove(made[i])
		}
	}

	for _, c := range changes {
		s := &staged{Change: c, full: filepath.Join(root, filepath.FromSlash(c.Path))}
		steps = append(steps, s)
		dir := filepath.Dir(s.full)
		var err error
		switch c.Kind {
		case "stale":
			// Reserve the name the file is moved to, next to it.
			s.backup, err = d.WriteTemp(dir, nil, 0o600)
		default:
			made = append(made, missingDirs(dir)...)
			if err = d.MkdirAll(dir); err != nil {
				break
			}
			if s.temp, err = d.WriteTemp(dir, c.New, 0o644); err != nil || c.Kind != "changed" {
				break
			}
			s.backup, err = d.WriteTemp(dir, c.Old, modeOf(s.full))
		}
		if err != nil {
			discard(nil)
			return fmt.Errorf("staging %s: %v; nothing was changed", c.Path, err)
		}
	}

	for i, s := range steps {
		var err error
		if s.Kind == "stale" {
			err = d.Rename(s.full, s.backup)
		} else {
			err = d.Rename(s.temp, s.full)
		}
		if err == nil {
			continue
		}
		kept, rerr := rollBack(d, steps[:i])
		discard(kept)
		if rerr != nil {
			return fmt.Errorf("writing %s: %v; restoring the files already written failed too: %v (their previous contents are kept in %s)",
				s.Path, err, rerr, strings.Join(sortedSet(kept), ", "))
		}
		return fmt.Errorf("writing %s: %v; nothing was changed (the %d changes already made were undone)", s.Path, err, i)
	}

	discard(nil)
	for _, s := range steps {
		if s.Kind == "stale" {
			removeEmptyParents(root, filepath.Dir(s.full))
		}
	}
	return nil
}

// rollBack undoes done, last first: a changed file gets its backup back, a
// new file goes, a stale file returns. It returns the backups it could not
// put back (to keep them) and what went wrong.
func rollBack(d disk, done []*staged) (map[string]bool, error) {
	kept := map[string]bool{}
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		s := done[i]
		var err error
		switch s.Kind {
		case "new":
			err = d.Remove(s.full)
		case "changed", "stale":
			err = d.Rename(s.backup, s.full)
		}
		if err != nil {
			if s.backup != "" {
				kept[s.backup] = true
			}
			errs = append(errs, fmt.Errorf("%s: %v", s.Path, err))
		}
	}
	return kept, errors.Join(errs...)
}

// missingDirs lists the directories MkdirAll(dir) would create, parents
// first.
func missingDirs(dir string) []string {
	var out []string
	for {
		if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		out = append([]string{dir}, out...)
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return out
}

// modeOf returns the permission bits of an existing file (0644 if it
// cannot be read).
func modeOf(path string) fs.FileMode {
	if st, err := os.Stat(path); err == nil {
		return st.Mode().Perm()
	}
	return 0o644
}

func removeEmptyParents(root, dir string) {
	for {
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == "." || !strings.Contains(rel, string(filepath.Separator)) {
			return
		}
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
