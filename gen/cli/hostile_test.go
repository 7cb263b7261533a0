package cli_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileFiles: the compiler reads only regular files inside the
// project root, no larger than a cap, and never quotes a refused file.
// Each case damages a copy of the tickets project in a way a checked-in
// corpus cannot hold (symlinks, devices, FIFOs, huge files), then runs
// generate with a time bound: once, a spec symlinked to /dev/zero grew
// to 2.7 GB in 6 s, a FIFO blocked for ever, and /proc/self/environ's
// variable names were echoed in the error.
func TestHostileFiles(t *testing.T) {
	const (
		mapping = "mappings/connectwise/tickets.yaml"
		spec    = "mappings/sources/connectwise.json"
		specAt  = "mappings/project.yaml:6:11: source spec for connectwise: "
	)
	// A secret outside the project: its name must never be printed.
	const secret = "CANONIC_PROBE_SECRET_NAME"
	outside := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(outside, []byte(`{"`+secret+`": "hunter2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(secret, "hunter2")

	for _, c := range []struct {
		name string
		// damage changes the project at dir, or skips the case.
		damage func(t *testing.T, dir string)
		want   string // stderr ($ROOT for the project); "" means success
	}{
		{"spec symlinked out of the project", func(t *testing.T, dir string) {
			symlink(t, outside, filepath.Join(dir, spec))
		}, specAt + spec + " leads outside the project root through a symlink: the compiler reads only files inside the project; copy the file in instead\n"},
		{"mapping symlinked to the zero device", func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, mapping))
		}, mapping + ": not read: the file leads outside the project root through a symlink: the compiler reads only files inside the project; copy the file in instead\n"},
		{"mapping symlinked to the process environment", func(t *testing.T, dir string) {
			symlink(t, "/proc/self/environ", filepath.Join(dir, mapping))
		}, mapping + ": not read: the file leads outside the project root through a symlink: the compiler reads only files inside the project; copy the file in instead\n"},
		{"spec is a device", func(t *testing.T, dir string) {
			p := filepath.Join(dir, spec)
			os.Remove(p)
			// /dev/zero's device number: major 1, minor 5.
			if err := syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|5); err != nil {
				t.Skipf("cannot create a device here: %v", err)
			}
		}, specAt + spec + " is a device, not a regular file: the compiler reads only regular files\n"},
		{"spec is a FIFO", func(t *testing.T, dir string) {
			p := filepath.Join(dir, spec)
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skipf("cannot create a FIFO here: %v", err)
			}
		}, specAt + spec + " is a named pipe (FIFO), not a regular file: the compiler reads only regular files\n"},
		{"mapping over 4 MiB", func(t *testing.T, dir string) {
			p := filepath.Join(dir, mapping)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			pad := strings.Repeat("# padding, valid YAML all the same\n", 4<<20/35+1)
			if err := os.WriteFile(p, append(data, pad...), 0o644); err != nil {
				t.Fatal(err)
			}
		}, mapping + ": not read: the file is larger than 4 MiB, the cap on mapping files: the compiler does not read it; split or trim it\n"},
		{"spec over 64 MiB", func(t *testing.T, dir string) {
			// A sparse file: its size is over the cap, its blocks are not.
			if err := os.Truncate(filepath.Join(dir, spec), 64<<20+1); err != nil {
				t.Fatal(err)
			}
		}, specAt + spec + " is larger than 64 MiB, the cap on source specs: the compiler does not read it; split or trim it\n"},
		{"mapping symlinked inside the project is read", func(t *testing.T, dir string) {
			p := filepath.Join(dir, mapping)
			kept := filepath.Join(dir, "elsewhere", "tickets.yaml")
			if err := os.MkdirAll(filepath.Dir(kept), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(p, kept); err != nil {
				t.Fatal(err)
			}
			symlink(t, filepath.Join("..", "..", "elsewhere", "tickets.yaml"), p)
		}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, module := scratch(t, "hostile")
			prepareProject(t, filepath.Join("testdata", "golden", "tickets"), dir)
			c.damage(t, dir)
			type result struct {
				code   int
				stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, _, stderr := run("generate", "--root", dir, "--module", module, "-q")
				done <- result{code, stderr}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("generate did not answer in 30 s")
			}
			stderr := strings.ReplaceAll(r.stderr, dir, "$ROOT")
			if strings.Contains(stderr, secret) || strings.Contains(stderr, "hunter2") {
				t.Errorf("stderr quotes a refused file: %q", stderr)
			}
			if c.want == "" {
				if r.code != 0 {
					t.Errorf("generate exited %d: %s", r.code, stderr)
				}
				return
			}
			want := c.want + "canonic generate: 1 problem(s) in the mappings; nothing was written\n"
			if r.code != 2 || stderr != want {
				t.Errorf("generate exited %d with\n%s\nwant 2 with\n%s", r.code, stderr, want)
			}
			for _, sub := range []string{"generated", "cmd"} {
				if _, err := os.Stat(filepath.Join(dir, sub)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a refused generate created %s/", sub)
				}
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	os.Remove(link)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
