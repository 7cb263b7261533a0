package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/cli"
)

// evolveV1 is the committed fixture mapping of internal/evolvetest/v1.
const evolveV1 = "../../internal/evolvetest/v1/mappings/connectwise/tickets.yaml"

// gitProject makes a scratch git repository holding a one-table project
// generated and committed, and returns its root.
func gitProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mapping, err := os.ReadFile(evolveV1)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile("../../mappings/sources/connectwise.json")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", []byte("module example.com/evolve\n\ngo 1.26\n"))
	write("mappings/project.yaml", []byte("version: 1\nclickhouse:\n  target: \"18.16\"\nsources:\n  connectwise:\n    spec: sources/connectwise.json\n"))
	write("mappings/sources/connectwise.json", spec)
	write("mappings/connectwise/tickets.yaml", mapping)
	var stdout, stderr bytes.Buffer
	if code := cli.Run([]string{"generate", "--root", dir, "-q"}, &stdout, &stderr); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr.String())
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "v1")
	return dir
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func editMapping(t *testing.T, dir string, edits ...string) {
	t.Helper()
	p := filepath.Join(dir, "mappings", "connectwise", "tickets.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("mapping lacks %q", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBreakingClassifiesEachClass makes one change of each class against
// the committed revision, checks the report names each with its position,
// exits 1, and passes once the mapping acknowledges them.
func TestBreakingClassifiesEachClass(t *testing.T) {
	dir := gitProject(t)
	editMapping(t, dir,
		// GO_API + WAREHOUSE + HISTORY: a hashed column dropped.
		"  - name: closed_flag\n    type: bool\n    nullable: true\n    source: closedFlag\n    description: Whether the ticket is closed.\n", "",
		// WAREHOUSE + GO_API: company_id retyped.
		"  - name: company_id\n    type: int64", "  - name: company_id\n    type: int32",
		// SOURCE: status now reads the priority.
		"source: status__name", "source: priority__name",
		// HISTORY: summary no longer hashed.
		"ignore_changes: [last_updated]", "ignore_changes: [last_updated, summary]",
	)
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"breaking", "--root", dir, "--against", "HEAD"}, &stdout, &stderr)
	if code != cli.ExitDiff {
		t.Fatalf("exit %d, want %d\n%s%s", code, cli.ExitDiff, stdout.String(), stderr.String())
	}
	report := stdout.String()
	t.Logf("breaking report:\n%s", report)
	for _, want := range []string{
		"mappings/connectwise/tickets.yaml:1:1: GO_API: field ClosedFlag (sql.Null[bool]) removed from Row",
		"GO_API: field CompanyID retyped from int64 to int32",
		"mappings/connectwise/tickets.yaml:1:1: WAREHOUSE: column closed_flag Nullable(UInt8) dropped",
		"WAREHOUSE: column company_id retyped from Int64 to Int32",
		"info: HISTORY: column summary leaves the record hash: the next run re-baselines",
		"HISTORY: hashed column closed_flag dropped: the old hashes cannot be recomputed",
		"HISTORY: hashed column company_id retyped from int64 to int32",
		"SOURCE: column status now reads priority__name instead of status__name",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if !strings.Contains(stderr.String(), "unacknowledged breaking change") {
		t.Errorf("stderr: %s", stderr.String())
	}

	// Acknowledge every class: the report passes and says so.
	editMapping(t, dir, "fields:\n", `breaking:
  - {class: GO_API, column: closed_flag, reason: nobody reads it}
  - {class: GO_API, column: company_id, reason: ids fit in int32}
  - {class: WAREHOUSE, column: closed_flag, reason: nobody reads it}
  - {class: WAREHOUSE, column: company_id, reason: ids fit in int32}
  - {class: HISTORY, column: "*", reason: a one-time re-versioning is accepted}
  - {class: SOURCE, column: status, reason: the column is redefined on purpose}
fields:
`)
	stdout.Reset()
	stderr.Reset()
	if code := cli.Run([]string{"breaking", "--root", dir, "--against", "HEAD"}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("acknowledged: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "(acknowledged at line") {
		t.Errorf("acknowledged changes are not shown:\n%s", stdout.String())
	}

	// The acknowledged drop and retype also let generate write migration
	// 0002 with the DROP and MODIFY statements.
	stdout.Reset()
	stderr.Reset()
	if code := cli.Run([]string{"generate", "--root", dir, "-q"}, &stdout, &stderr); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr.String())
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "generated/connectwise/tickets/migrations/0002_*.sql"))
	if len(matches) != 1 {
		t.Fatalf("migration 0002: %v", matches)
	}
	mig, _ := os.ReadFile(matches[0])
	for _, want := range []string{"ALTER TABLE `tickets` DROP COLUMN `closed_flag`;", "ALTER TABLE `tickets` MODIFY COLUMN `company_id` Int32;", "DROP TABLE IF EXISTS `tickets_current`;"} {
		if !strings.Contains(string(mig), want) {
			t.Errorf("migration lacks %q:\n%s", want, mig)
		}
	}
}

// TestGenerateRefusesUnacknowledgedDrop: dropping a column without a
// WAREHOUSE acknowledgement is a positioned error and writes nothing.
func TestGenerateRefusesUnacknowledgedDrop(t *testing.T) {
	dir := gitProject(t)
	editMapping(t, dir, "  - name: closed_flag\n    type: bool\n    nullable: true\n    source: closedFlag\n    description: Whether the ticket is closed.\n", "")
	var stdout, stderr bytes.Buffer
	if code := cli.Run([]string{"generate", "--root", dir, "-q"}, &stdout, &stderr); code != cli.ExitBadInput {
		t.Fatalf("exit %d, want 2\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `mappings/connectwise/tickets.yaml:1:1: column "closed_flag": column closed_flag Nullable(UInt8) dropped`) ||
		!strings.Contains(stderr.String(), "breaking: [{class: WAREHOUSE, column: closed_flag") {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "generated/connectwise/tickets/migrations/0002_*")); len(m) != 0 {
		t.Fatal("a refused generate wrote a migration")
	}
}
