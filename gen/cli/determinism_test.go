package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/compiler"
)

// TestDeterministic generates the tickets project into two directories
// and requires identical bytes.
func TestDeterministic(t *testing.T) {
	var trees []map[string][]byte
	for _, name := range []string{"determinism-a", "determinism-b"} {
		dir, _ := scratch(t, name)
		prepareProject(t, filepath.Join("testdata", "golden", "tickets"), dir)
		if code, _, stderr := run("generate", "--root", dir, "--module", "example.com/determinism", "-q"); code != 0 {
			t.Fatalf("generate exited %d: %s", code, stderr)
		}
		trees = append(trees, readTree(t, dir, "generated", "cmd"))
	}
	if len(trees[0]) == 0 {
		t.Fatal("nothing generated")
	}
	if diff := treeDiff("first", trees[0], "second", trees[1]); diff != "" {
		t.Errorf("two generations differ:\n%s", diff)
	}
}

// machineDetails match what must never appear in generated files: they
// would churn every file on every machine, run or release.
var machineDetails = []*regexp.Regexp{
	regexp.MustCompile(`\b(19|20)\d\d-\d\d-\d\d[T ]\d\d:\d\d`), // timestamps
	regexp.MustCompile(`\bgo1\.\d+`),                           // Go versions
	regexp.MustCompile(`(?i)canonic v?\d+\.\d+`),               // tool versions
	regexp.MustCompile(`(?i)canonic (version|built)`),
	regexp.MustCompile(`/(home|tmp|work|Users|root)/`), // absolute paths
	regexp.MustCompile(`\b[A-Z]:\\[A-Za-z]`),
}

// TestOutputHasNoMachineDetails compiles every golden project in memory
// several times (map iteration order varies between runs) and checks that
// the output is stable and free of paths, timestamps and versions.
func TestOutputHasNoMachineDetails(t *testing.T) {
	home, _ := os.UserHomeDir()
	for _, name := range caseNames(t, "golden") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, _ := scratch(t, "machine-"+name)
			prepareProject(t, filepath.Join("testdata", "golden", name), dir)
			first, _, err := compiler.Compile(dir, compiler.Options{Module: "example.com/m"})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				again, _, err := compiler.Compile(dir, compiler.Options{Module: "example.com/m"})
				if err != nil {
					t.Fatal(err)
				}
				if diff := treeDiff("first", first, "again", again); diff != "" {
					t.Fatalf("compilation %d differs from the first:\n%s", i+2, diff)
				}
			}
			literal := []string{dir, repoRoot(t), os.TempDir(), runtime.Version(), runtime.GOROOT()}
			if home != "" {
				literal = append(literal, home)
			}
			for file, data := range first {
				for _, s := range literal {
					if s != "" && bytes.Contains(data, []byte(s)) {
						t.Errorf("%s contains %q", file, s)
					}
				}
				for _, re := range machineDetails {
					if m := re.Find(data); m != nil {
						t.Errorf("%s contains %q (%s)", file, m, re)
					}
				}
				if !strings.HasPrefix(file, "generated/") && !strings.HasPrefix(file, "cmd/backfill-") {
					t.Errorf("%s is outside generated/ and cmd/backfill-*/", file)
				}
			}
		})
	}
}

// TestMachineDetailsPatterns makes sure the patterns above can match.
func TestMachineDetailsPatterns(t *testing.T) {
	for _, s := range []string{"2026-04-01T10:00", "built with go1.26.8", "canonic v1.2.0", "canonic version 3", "/home/dev/x", "/tmp/build", `C:\src`} {
		hit := false
		for _, re := range machineDetails {
			hit = hit || re.MatchString(s)
		}
		if !hit {
			t.Errorf("no pattern matches %q", s)
		}
	}
}
