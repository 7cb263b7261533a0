package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/cli"
)

// generateIn runs generate -q in dir and returns its exit code and stderr.
func generateIn(t *testing.T, dir string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"generate", "--root", dir, "-q"}, &stdout, &stderr)
	return code, stderr.String()
}

func commitAll(t *testing.T, dir, msg string) {
	t.Helper()
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", msg)
}

func readGenerated(t *testing.T, dir, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "generated", "connectwise", "tickets", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

const (
	addPriority      = "  - name: company_id\n"
	addPriorityAfter = "  - name: priority\n    type: string\n    nullable: true\n    source: priority__name\n    description: Priority name.\n  - name: company_id\n"
)

// TestBaselineIsWhatIsCommitted: inside git, the evolution baseline is
// schema.json at HEAD. A column added but not committed can still be
// retyped (the uncommitted migration is derived again), and once committed
// it cannot.
func TestBaselineIsWhatIsCommitted(t *testing.T) {
	dir := gitProject(t)
	editMapping(t, dir, addPriority, addPriorityAfter)
	if code, stderr := generateIn(t, dir); code != 0 {
		t.Fatalf("generate with an added column: %d %s", code, stderr)
	}
	if mig := readGenerated(t, dir, "migrations/0002_add_priority.sql"); !strings.Contains(mig, "ADD COLUMN `priority` Nullable(String) AFTER `status`") {
		t.Fatalf("migration 0002:\n%s", mig)
	}

	// Not committed yet: making the new column non-nullable is no break.
	editMapping(t, dir, "  - name: priority\n    type: string\n    nullable: true\n", "  - name: priority\n    type: string\n")
	if code, stderr := generateIn(t, dir); code != 0 {
		t.Fatalf("retyping an uncommitted column was refused: %d\n%s", code, stderr)
	}
	if mig := readGenerated(t, dir, "migrations/0002_add_priority.sql"); !strings.Contains(mig, "ADD COLUMN `priority` String AFTER `status`") {
		t.Fatalf("migration 0002 was not derived again from HEAD:\n%s", mig)
	}
	if snap := readGenerated(t, dir, "schema.json"); !strings.Contains(snap, "\"migrations\": [\n    \"0001_create.sql\",\n    \"0002_add_priority.sql\"\n  ]") {
		t.Fatalf("schema.json lists other migrations:\n%s", snap)
	}

	// Committed: the same change is now a break of every tenant's table.
	commitAll(t, dir, "add priority")
	editMapping(t, dir, "  - name: priority\n    type: string\n", "  - name: priority\n    type: string\n    nullable: true\n")
	code, stderr := generateIn(t, dir)
	if code != cli.ExitBadInput || !strings.Contains(stderr, `column "priority": column priority retyped from String to Nullable(String)`) {
		t.Fatalf("retyping a committed column: exit %d\n%s", code, stderr)
	}
}

// TestBaselineNeverCommittedTable: a table with no committed snapshot
// (here: a repository without commits) regenerates freely, 0001 included.
func TestBaselineNeverCommittedTable(t *testing.T) {
	dir := gitProject(t)
	if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q")
	editMapping(t, dir, "  - name: company_id\n    type: int64", "  - name: company_id\n    type: int32")
	if code, stderr := generateIn(t, dir); code != 0 {
		t.Fatalf("retyping a never-committed column was refused: %d\n%s", code, stderr)
	}
	if c := readGenerated(t, dir, "migrations/0001_create.sql"); !strings.Contains(c, "`company_id`") || !strings.Contains(c, " Int32 ") {
		t.Errorf("0001_create.sql was not regenerated:\n%s", c)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "generated/connectwise/tickets/migrations/0002_*")); len(m) != 0 {
		t.Errorf("a never-committed table got a migration: %v", m)
	}
}

// TestBaselineOutsideGit: outside a git work tree the working tree's
// schema.json is the baseline, as documented.
func TestBaselineOutsideGit(t *testing.T) {
	dir := gitProject(t)
	if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	editMapping(t, dir, "  - name: company_id\n    type: int64", "  - name: company_id\n    type: int32")
	code, stderr := generateIn(t, dir)
	if code != cli.ExitBadInput || !strings.Contains(stderr, `column "company_id": column company_id retyped from Int64 to Int32`) {
		t.Fatalf("outside git: exit %d\n%s", code, stderr)
	}
}

// TestRefusedChangeReportedWithOtherProblems: an evolution refusal in one
// table and a mistake in another mapping come out of the same run.
func TestRefusedChangeReportedWithOtherProblems(t *testing.T) {
	dir := gitProject(t)
	editMapping(t, dir, "  - name: company_id\n    type: int64", "  - name: company_id\n    type: int32")
	writeFile(t, filepath.Join(dir, "mappings", "connectwise", "companies.yaml"),
		"version: 1\nservice: connectwise\ntable: companies\ndescription: Companies.\nsource:\n  endpoint: company/companies\nkey: id\nscd:\n  type: 2\nfields:\n  - name: id\n    type: int64\n    source: id\n")
	code, stderr := generateIn(t, dir)
	if code != cli.ExitBadInput ||
		!strings.Contains(stderr, "mappings/connectwise/companies.yaml:11:5: field: missing required key \"description\"") ||
		!strings.Contains(stderr, `column "company_id": column company_id retyped from Int64 to Int32`) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}

// TestBaselineUncommittedMigrationReplaced: an uncommitted migration is
// derived again from HEAD when the mapping changes once more, and the
// file it replaces is removed.
func TestBaselineUncommittedMigrationReplaced(t *testing.T) {
	dir := gitProject(t)
	editMapping(t, dir, addPriority, addPriorityAfter)
	if code, stderr := generateIn(t, dir); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	editMapping(t, dir, addPriority, "  - name: board\n    type: string\n    nullable: true\n    source: board__name\n    description: Board name.\n"+addPriority)
	if code, stderr := generateIn(t, dir); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	got, _ := filepath.Glob(filepath.Join(dir, "generated/connectwise/tickets/migrations/*.sql"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	if want := []string{"0001_create.sql", "0002_add_priority_add_board.sql"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("migrations %v, want %v", got, want)
	}
}

// TestBaselineRefusesCommittedSymlink: a committed snapshot that is a
// symbolic link is refused, as it is in the working tree.
func TestBaselineRefusesCommittedSymlink(t *testing.T) {
	dir := gitProject(t)
	snap := filepath.Join(dir, "generated", "connectwise", "tickets", "schema.json")
	if err := os.Remove(snap); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", snap); err != nil {
		t.Fatal(err)
	}
	commitAll(t, dir, "a symlink")
	code, stderr := generateIn(t, dir)
	if code != cli.ExitBadInput || !strings.Contains(stderr, "generated/connectwise/tickets/schema.json at HEAD is not a regular file (mode 120000)") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}
