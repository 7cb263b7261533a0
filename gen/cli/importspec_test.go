package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/cli"
)

// TestImportNewSpecShowsBrokenMappings imports a spec excerpt, generates
// the v1 fixture mapping against it, then imports a "next release" copy in
// which summary was removed, closedFlag became a string and status.name
// became write-only: generate must name each broken mapping field at its
// file:line:col and write nothing.
func TestImportNewSpecShowsBrokenMappings(t *testing.T) {
	dir := t.TempDir()
	mapping, err := os.ReadFile(evolveV1)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"go.mod":                            []byte("module example.com/spec\n\ngo 1.26\n"),
		"mappings/project.yaml":             []byte("version: 1\nsources:\n  connectwise:\n    spec: sources/connectwise.json\n"),
		"mappings/connectwise/tickets.yaml": mapping,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cli.Run(append(args, "--root", dir), &out, &errb)
		return code, out.String(), errb.String()
	}
	importSpec := func(file string) {
		t.Helper()
		abs, _ := filepath.Abs(filepath.Join("testdata", "openapi", file))
		if code, _, stderr := run("import-spec", "--service", "connectwise", "--from", abs, "--source", "test excerpt"); code != 0 {
			t.Fatalf("import-spec %s: %d %s", file, code, stderr)
		}
	}
	importSpec("tickets-2026.4.json")
	if code, _, stderr := run("generate", "-q"); code != 0 {
		t.Fatalf("generate against 2026.4: %d\n%s", code, stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "generated/connectwise/tickets/mapper.go"))

	importSpec("tickets-2027.1.json")
	code, _, stderr := run("generate", "-q")
	if code != cli.ExitBadInput {
		t.Fatalf("generate against 2027.1 exited %d, want 2\n%s", code, stderr)
	}
	t.Logf("after importing 2027.1:\n%s", stderr)
	for _, want := range []string{
		`mappings/connectwise/tickets.yaml:23:13: column "summary": source path "summary" not found`,
		`mappings/connectwise/tickets.yaml:27:13: column "status": source "status__name" is never returned by GET`,
		`mappings/connectwise/tickets.yaml:36:13: column "closed_flag": cannot read string source "closedFlag" as bool`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, "generated/connectwise/tickets/mapper.go"))
	if !bytes.Equal(before, after) {
		t.Error("a failed generate changed the generated code")
	}
}
