package compiler

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/canonic-data/canonic/gen/diag"
)

// Caps on the size of a file the compiler reads. Anything larger is
// refused before it is parsed, so the compiler's memory stays bounded.
const (
	// MaxMappingBytes caps a mapping file and the settings files
	// (mappings/project.yaml, go.mod).
	MaxMappingBytes = 4 << 20
	// MaxSpecBytes caps a vendored source spec and a table's committed
	// snapshot and migrations.
	MaxSpecBytes = 64 << 20
)

// projectTree reads files of one project, and only them: a name must
// resolve inside the root, symlinks included (os.Root enforces it), and
// name a regular file (not a directory, device, FIFO or socket) no larger
// than a cap. A refused file is never opened for reading, and errors name
// the file, never quote it.
type projectTree struct {
	dir  string
	root *os.Root
}

func openTree(dir string) (*projectTree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &projectTree{dir: dir, root: root}, nil
}

func (t *projectTree) Close() error { return t.root.Close() }

// fileError is a file the tree refuses to read, or cannot: Reason
// completes a sentence whose subject is the file ("is a device, ...").
type fileError struct {
	Rel      string
	Reason   string
	notExist bool
}

func (e *fileError) Error() string { return e.Rel + " " + e.Reason }

// Is makes every fileError a problem of the user's tree (exit 2).
func (e *fileError) Is(target error) bool { return target == diag.ErrBadInput }

// Unwrap makes a missing file errors.Is fs.ErrNotExist.
func (e *fileError) Unwrap() error {
	if e.notExist {
		return fs.ErrNotExist
	}
	return nil
}

func refuse(rel, format string, args ...any) error {
	return &fileError{Rel: rel, Reason: fmt.Sprintf(format, args...)}
}

// read returns the content of the file named by rel (slash-separated,
// relative to the root) if it is at most limit bytes; what names the kind
// of file in a size error ("a mapping"). A missing file is an error
// wrapping fs.ErrNotExist.
func (t *projectTree) read(rel string, limit int64, what string) ([]byte, error) {
	name := filepath.FromSlash(rel)
	if !filepath.IsLocal(name) {
		return nil, refuse(rel, "is outside the project root: the compiler reads only files inside the project")
	}
	info, err := t.root.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &fileError{Rel: rel, Reason: "does not exist", notExist: true}
	}
	if err != nil {
		if t.leaves(name) {
			return nil, refuse(rel, "leads outside the project root through a symlink: the compiler reads only files inside the project; copy the file in instead")
		}
		return nil, refuse(rel, "cannot be read inside the project root: %v", stripPath(err))
	}
	if !info.Mode().IsRegular() {
		return nil, refuse(rel, "is %s, not a regular file: the compiler reads only regular files", kindOf(info.Mode()))
	}
	if info.Size() > limit {
		return nil, tooLarge(rel, what, limit)
	}
	f, err := t.root.Open(name)
	if err != nil {
		return nil, refuse(rel, "cannot be read: %v", stripPath(err))
	}
	defer f.Close()
	// The file may have been swapped since Stat: check what was opened.
	if opened, err := f.Stat(); err != nil || !os.SameFile(info, opened) {
		return nil, refuse(rel, "changed while being read: run again")
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, refuse(rel, "cannot be read: %v", stripPath(err))
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(rel, what, limit)
	}
	return data, nil
}

// readDir lists the names of the regular files in the directory rel (nil
// when it does not exist).
func (t *projectTree) readDir(rel string) ([]string, error) {
	d, err := t.root.Open(filepath.FromSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, refuse(rel, "cannot be read: %v", stripPath(err))
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return nil, refuse(rel, "cannot be read: %v", stripPath(err))
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// leaves reports whether name resolves, through symlinks, to a place
// outside the root.
func (t *projectTree) leaves(name string) bool {
	root, err := filepath.EvalSymlinks(t.dir)
	if err != nil {
		return false
	}
	target, err := filepath.EvalSymlinks(filepath.Join(t.dir, name))
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, target)
	return err != nil || !filepath.IsLocal(rel)
}

func tooLarge(rel, what string, limit int64) error {
	size := fmt.Sprintf("%d bytes", limit)
	if limit >= 1<<20 && limit%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", limit>>20)
	}
	return refuse(rel, "is larger than %s, the cap on %s: the compiler does not read it; split or trim it", size, what)
}

// kindOf names a file mode that is not a regular file.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// stripPath drops the path an os error repeats (the caller names the file
// relative to the root).
func stripPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isAbsolute reports whether a path from the settings is absolute, in
// slash or in the platform's form.
func isAbsolute(p string) bool {
	return path.IsAbs(p) || filepath.IsAbs(filepath.FromSlash(p))
}
