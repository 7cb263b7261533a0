package cli_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// minBadCases keeps the corpus from shrinking unnoticed.
const minBadCases = 35

// TestBad runs generate and check on each testdata/bad/<case> project and
// requires exit code 2, stderr exactly as in stderr.txt ($ROOT stands for
// the project directory), well-formed sorted file:line:col lines that
// point into the files, and an untouched tree: nothing written, nothing
// removed (a case may ship a previously generated generated/ and cmd/).
//
//	go test ./gen/cli -run Bad -update   # rewrite stderr.txt; review every message
func TestBad(t *testing.T) {
	names := caseNames(t, "bad")
	if len(names) < minBadCases {
		t.Errorf("only %d bad cases, want at least %d", len(names), minBadCases)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			caseDir := filepath.Join("testdata", "bad", name)
			dir, module := scratch(t, "bad-"+name)
			prepareProject(t, caseDir, dir)
			before := readTree(t, dir)
			_, shippedGenerated := os.Stat(filepath.Join(caseDir, "generated"))

			code, stdout, stderr := run("generate", "--root", dir, "--module", module, "-q")
			stderr = strings.ReplaceAll(stderr, dir, "$ROOT")
			if code != 2 {
				t.Errorf("generate exited %d, want 2 (bad input)", code)
			}
			if stdout != "" {
				t.Errorf("generate printed to stdout: %q", stdout)
			}
			if diff := treeDiff("before", before, "after", readTree(t, dir)); diff != "" {
				t.Errorf("a failed generate changed the project:\n%s", diff)
			}
			if shippedGenerated != nil {
				for _, sub := range []string{"generated", "cmd"} {
					if _, err := os.Stat(filepath.Join(dir, sub)); err == nil {
						t.Errorf("a failed generate created %s/", sub)
					}
				}
			}
			checkDiagnostics(t, dir, stderr)

			wantFile := filepath.Join(caseDir, "stderr.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(stderr), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				want, err := os.ReadFile(wantFile)
				if err != nil {
					t.Fatalf("%v (run go test ./gen/cli -run Bad -update to create it)", err)
				}
				if stderr != string(want) {
					t.Errorf("stderr differs from %s (-want +got):\n%s", wantFile,
						treeDiff("want", map[string][]byte{"stderr": want}, "got", map[string][]byte{"stderr": []byte(stderr)}))
				}
			}

			// check reports the same problems and writes nothing either.
			code, stdout, checkErr := run("check", "--root", dir, "--module", module)
			checkErr = strings.ReplaceAll(checkErr, dir, "$ROOT")
			if code != 2 || stdout != "" {
				t.Errorf("check exited %d with stdout %q, want 2 and nothing", code, stdout)
			}
			if strings.ReplaceAll(checkErr, "canonic check", "canonic generate") != stderr {
				t.Errorf("check's stderr differs from generate's:\n%s", checkErr)
			}
			if diff := treeDiff("before", before, "after", readTree(t, dir)); diff != "" {
				t.Errorf("a failed check changed the project:\n%s", diff)
			}
		})
	}
}

var (
	diagLine    = regexp.MustCompile(`^([^:\s]+)(?::(\d+):(\d+))?: (.+)$`)
	summaryLine = regexp.MustCompile(`^canonic generate: (\d+) problem\(s\) in the mappings; nothing was written$`)
)

// checkDiagnostics checks the shape of stderr: one "file:line:col:
// message" per problem, sorted, each position inside its file (a column
// may point one past the end of a line), then the summary line counting
// them. A single unpositioned "canonic generate: ..." line is allowed for
// problems that precede the mappings (a missing directory).
func checkDiagnostics(t *testing.T, dir, stderr string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if !strings.HasSuffix(stderr, "\n") || len(lines) == 0 {
		t.Fatalf("stderr does not end in a line: %q", stderr)
	}
	last := lines[len(lines)-1]
	m := summaryLine.FindStringSubmatch(last)
	if m == nil {
		if len(lines) == 1 && strings.HasPrefix(last, "canonic generate: ") {
			return
		}
		t.Fatalf("last stderr line %q is not the summary", last)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(lines)-1 {
		t.Errorf("summary counts %d problems, stderr lists %d", n, len(lines)-1)
	}
	type pos struct {
		file      string
		line, col int
	}
	var prev *pos
	for _, l := range lines[:len(lines)-1] {
		m := diagLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("not a file:line:col: message line: %q", l)
			continue
		}
		p := pos{file: m[1]}
		p.line, _ = strconv.Atoi(m[2])
		p.col, _ = strconv.Atoi(m[3])
		if prev != nil && (p.file < prev.file || p.file == prev.file && (p.line < prev.line || p.line == prev.line && p.col < prev.col)) {
			t.Errorf("problems not sorted: %q after %s:%d:%d", l, prev.file, prev.line, prev.col)
		}
		prev = &p
		if p.line == 0 {
			continue
		}
		text, err := fileLines(filepath.Join(dir, filepath.FromSlash(p.file)))
		if err != nil {
			t.Errorf("%q names a file that does not exist: %v", l, err)
			continue
		}
		if p.line > len(text) || p.col < 1 || p.col > len([]rune(text[p.line-1]))+1 {
			t.Errorf("%q points outside %s (%d lines)", l, p.file, len(text))
		}
	}
}

func fileLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out, sc.Err()
}
