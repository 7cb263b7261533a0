package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// TestGolden compiles each testdata/golden/<case>/mappings project into
// testdata/_build/<case> (a directory of this module, so the output builds
// against internal/), compares the generated tree with want/ file by file,
// checks the DDL and headers, then vets the generated Go. A case without
// mappings/project.yaml or mappings/sources/ gets the real project's.
//
//	go test ./gen/cli -run Golden -update   # rewrite want/ and refresh real-mapping copies
func TestGolden(t *testing.T) {
	top := t
	var (
		mu   sync.Mutex
		pkgs []string
	)
	t.Run("case", func(t *testing.T) {
		for _, name := range caseNames(t, "golden") {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				caseDir := filepath.Join("testdata", "golden", name)
				syncRealMappings(t, caseDir)
				dir, module := scratchOwnedBy(t, top, name) // kept until the vet below
				prepareProject(t, caseDir, dir)
				inputs := readTree(t, dir)

				code, stdout, stderr := run("generate", "--root", dir, "--module", module, "-q")
				if code != 0 {
					t.Fatalf("generate exited %d:\n%s", code, stderr)
				}
				if stdout != "" || stderr != "" {
					t.Errorf("generate -q printed stdout %q, stderr %q", stdout, stderr)
				}
				got := readTree(t, dir, "generated", "cmd")
				all := readTree(t, dir)
				for n := range all {
					if _, in := inputs[n]; !in && got[n] == nil {
						t.Errorf("generate wrote %s outside generated/ and cmd/", n)
					}
				}

				wantDir := filepath.Join(caseDir, "want")
				if *update {
					writeTree(t, wantDir, got)
				} else if diff := treeDiff("want", readTree(t, wantDir), "got", got); diff != "" {
					t.Errorf("generated tree differs from %s (if the change is intended, run go test ./gen/cli -run Golden -update and review the diff):\n%s", wantDir, diff)
				}
				checkOutput(t, dir, got)

				code, stdout, stderr = run("check", "--root", dir, "--module", module)
				if code != 0 || !strings.Contains(stdout, "up to date") {
					t.Errorf("check right after generate exited %d: %s%s", code, stdout, stderr)
				}

				mu.Lock()
				pkgs = append(pkgs, goPackages(module, got)...)
				mu.Unlock()
			})
		}
	})
	if len(pkgs) == 0 {
		return
	}
	// Vet the table packages and the backfill mains separately, so that a
	// problem in one group does not hide the result of the other.
	var tables, mains []string
	for _, p := range pkgs {
		if strings.Contains(p, "/cmd/") {
			mains = append(mains, p)
		} else {
			tables = append(tables, p)
		}
	}
	sort.Strings(tables)
	sort.Strings(mains)
	t.Run("vet/generated", func(t *testing.T) { goVet(t, tables) })
	t.Run("vet/cmd", func(t *testing.T) { goVet(t, mains) })
}

// realMappingCopies are golden inputs that must stay byte-identical to a
// mapping of the real project ("the real mapping" cases). -update
// refreshes them.
var realMappingCopies = map[string]string{
	"tickets/mappings/connectwise/tickets.yaml":              "mappings/connectwise/tickets.yaml",
	"tickets_target_18_16/mappings/connectwise/tickets.yaml": "mappings/connectwise/tickets.yaml",
}

func syncRealMappings(t *testing.T, caseDir string) {
	t.Helper()
	name := filepath.Base(caseDir)
	for copyRel, realRel := range realMappingCopies {
		if !strings.HasPrefix(copyRel, name+"/") {
			continue
		}
		real, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(realRel)))
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join("testdata", "golden", filepath.FromSlash(copyRel))
		have, err := os.ReadFile(copyPath)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Equal(have, real) {
			continue
		}
		if !*update {
			t.Errorf("%s is not a copy of %s: run go test ./gen/cli -run Golden -update and review want/", copyPath, realRel)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(copyPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(copyPath, real, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goPackages lists the import paths of the Go packages in a tree.
func goPackages(module string, tree map[string][]byte) []string {
	seen := map[string]bool{}
	var out []string
	for name := range tree {
		if strings.HasSuffix(name, ".go") && !seen[path.Dir(name)] {
			seen[path.Dir(name)] = true
			out = append(out, module+"/"+path.Dir(name))
		}
	}
	sort.Strings(out)
	return out
}

// goVet runs go vet (which type-checks, so it also proves the code
// compiles) on explicit import paths: packages under an underscore
// directory are not matched by ./... but are buildable by path.
func goVet(t *testing.T, pkgs []string) {
	t.Helper()
	if len(pkgs) == 0 {
		t.Skip("no packages")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not found: %v", err)
	}
	cmd := exec.Command(goTool, append([]string{"vet"}, pkgs...)...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := string(out)
		if strings.Contains(msg, "canonic/internal/backfill") && !dirExists(filepath.Join(repoRoot(t), "internal", "backfill")) {
			msg = "internal/backfill does not exist yet; the backfill mains import it:\n" + msg
		}
		t.Errorf("go vet %s: %v\n%s", strings.Join(pkgs, " "), err, msg)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
