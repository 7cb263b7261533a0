package compiler

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// committed is the evolution baseline inside a git work tree: the files
// under the requested directories as committed at HEAD, by slash path
// relative to the project root. A path absent from files has no committed
// version (never committed, or no commit yet).
type committed struct {
	files map[string][]byte
}

// errNotGit means the project root is not inside a git work tree (or git
// is not installed): the baseline is then the working tree.
var errNotGit = errors.New("not in a git work tree")

// Git runs git in dir and returns its standard output; a failure names
// the command and carries git's message.
func Git(dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// committedFiles reads the files under dirs (slash paths relative to
// root) as committed at HEAD of the git work tree holding root; a file
// larger than limit is refused, as in the working tree. Outside a work tree
// it returns errNotGit; in a repository without commits, an empty baseline.
func committedFiles(root string, dirs []string, limit int64) (*committed, error) {
	run := func(stdin io.Reader, args ...string) ([]byte, error) { return Git(root, stdin, args...) }
	inside, err := run(nil, "rev-parse", "--is-inside-work-tree")
	if err != nil || strings.TrimSpace(string(inside)) != "true" {
		return nil, errNotGit
	}
	c := &committed{files: map[string][]byte{}}
	if _, err := run(nil, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		return c, nil // no commit yet: nothing is committed
	}
	// ls-tree prints paths relative to the working directory (root).
	list, err := run(nil, append([]string{"ls-tree", "-r", "-l", "-z", "HEAD", "--"}, dirs...)...)
	if err != nil {
		return nil, err
	}
	var paths, objects []string
	for _, entry := range bytes.Split(list, []byte{0}) {
		// <mode> <type> <object> <size>\t<path>
		meta, name, ok := bytes.Cut(entry, []byte{'\t'})
		fields := strings.Fields(string(meta))
		if !ok || len(fields) != 4 || fields[1] != "blob" {
			continue
		}
		if fields[0] != "100644" && fields[0] != "100755" {
			// as in the working tree, only regular files are read
			return nil, refuse(string(name)+" at HEAD", "is not a regular file (mode %s): the compiler reads only regular files; commit the file itself", fields[0])
		}
		if size, err := strconv.ParseInt(fields[3], 10, 64); err != nil || size > limit {
			return nil, tooLarge(string(name)+" at HEAD", "generated files", limit)
		}
		paths = append(paths, string(name))
		objects = append(objects, fields[2])
	}
	if len(objects) == 0 {
		return c, nil
	}
	out, err := run(strings.NewReader(strings.Join(objects, "\n")+"\n"), "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(out))
	for i := range objects {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("git cat-file: reading %s: %v", paths[i], err)
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			return nil, fmt.Errorf("git cat-file: reading %s: %q", paths[i], strings.TrimSpace(header))
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("git cat-file: reading %s: %q", paths[i], strings.TrimSpace(header))
		}
		data := make([]byte, size+1) // the content and a newline
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("git cat-file: reading %s: %v", paths[i], err)
		}
		c.files[paths[i]] = data[:size]
	}
	return c, nil
}
