package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/cli"
	"github.com/canonic-data/canonic/gen/evolve"
	"github.com/canonic-data/canonic/internal/chschema"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// TestMigrationMatchesPreflight feeds the same warehouse change to both
// ALTER generators: the compiler's migration (generate after editing the
// mapping) and the runtime's preflight proposal (warehouse.CheckSchema of
// the table as first generated against the edited one). Both must say
// the same statements, and those must be the expected ones; a change
// neither can make (reordering) must be refused by both with the same
// reason.
func TestMigrationMatchesPreflight(t *testing.T) {
	const acks = "breaking:\n" +
		"  - {class: WAREHOUSE, column: \"*\", reason: test}\n" +
		"  - {class: GO_API, column: \"*\", reason: test}\n" +
		"  - {class: HISTORY, column: \"*\", reason: test}\n" +
		"fields:\n"
	closedFlag := "  - name: closed_flag\n    type: bool\n    nullable: true\n    source: closedFlag\n    description: Whether the ticket is closed.\n"
	cases := []struct {
		name    string
		edits   []string
		want    []string // the ALTER TABLE statements, in order
		refused string   // when set: both refuse, saying this
	}{
		{
			name:  "add a column",
			edits: []string{"  - name: company_id\n", "  - name: priority\n    type: string\n    nullable: true\n    source: priority__name\n    description: Priority 'name'.\n  - name: company_id\n"},
			want: []string{
				"ALTER TABLE `tickets` ADD COLUMN `priority` Nullable(String) AFTER `status`",
				"ALTER TABLE `tickets` COMMENT COLUMN `priority` 'Priority \\'name\\'.'",
			},
		},
		{
			name:  "retype",
			edits: []string{"fields:\n", acks, "  - name: company_id\n    type: int64", "  - name: company_id\n    type: int32"},
			want:  []string{"ALTER TABLE `tickets` MODIFY COLUMN `company_id` Int32"},
		},
		{
			name:  "leave Nullable",
			edits: []string{"fields:\n", acks, closedFlag, strings.Replace(closedFlag, "    nullable: true\n", "", 1)},
			want:  []string{"ALTER TABLE `tickets` MODIFY COLUMN `closed_flag` UInt8 DEFAULT 0"},
		},
		{
			name:  "drop",
			edits: []string{"fields:\n", acks, closedFlag, ""},
			want:  []string{"ALTER TABLE `tickets` DROP COLUMN `closed_flag`"},
		},
		{
			name: "reorder",
			edits: []string{
				"  - name: summary\n    type: string\n    source: summary\n    description: Summary.\n", "",
				"  - name: company_id\n", "  - name: summary\n    type: string\n    source: summary\n    description: Summary.\n  - name: company_id\n",
			},
			refused: chschema.ErrReorder.Error(),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := gitProject(t)
			tableDir := filepath.Join(dir, "generated", "connectwise", "tickets")
			v1 := readSnapshot(t, filepath.Join(tableDir, evolve.SnapshotFile))
			editMapping(t, dir, c.edits...)
			var stdout, stderr bytes.Buffer
			code := cli.Run([]string{"generate", "--root", dir, "-q"}, &stdout, &stderr)

			if c.refused != "" {
				if code != cli.ExitBadInput || !strings.Contains(stderr.String(), c.refused) {
					t.Fatalf("generate: exit %d, want %d saying %q:\n%s", code, cli.ExitBadInput, c.refused, stderr.String())
				}
				// The edit moved summary after status: the wanted order.
				want := slices.Clone(v1)
				want[1], want[2] = want[2], want[1]
				diff, alters, ok := warehouse.CheckSchema(v1, want)
				if ok || len(alters) != 0 || !strings.Contains(diff, c.refused) {
					t.Fatalf("preflight: ok %v, alters %q, diff:\n%s\nwant no statement and %q", ok, alters, diff, c.refused)
				}
				return
			}
			if code != 0 {
				t.Fatalf("generate: exit %d\n%s", code, stderr.String())
			}
			v2 := readSnapshot(t, filepath.Join(tableDir, evolve.SnapshotFile))
			migs, _ := filepath.Glob(filepath.Join(tableDir, evolve.MigrationsDir, "0002_*.sql"))
			if len(migs) != 1 {
				t.Fatalf("migration 0002: %v", migs)
			}
			data, err := os.ReadFile(migs[0])
			if err != nil {
				t.Fatal(err)
			}
			var compiler []string
			for _, s := range warehouse.SplitStatements(string(data)) {
				for strings.HasPrefix(s, "--") { // the file's header
					_, s, _ = strings.Cut(s, "\n")
					s = strings.TrimSpace(s)
				}
				if strings.HasPrefix(s, "ALTER TABLE") {
					compiler = append(compiler, s)
				}
			}
			_, runtime, ok := warehouse.CheckSchema(v1, v2)
			if ok {
				t.Fatal("preflight sees no difference")
			}
			for i := range runtime {
				runtime[i] = strings.Replace(runtime[i], "{table}", "`tickets`", 1)
			}
			if !slices.Equal(compiler, runtime) {
				t.Errorf("the migration says\n  %s\nthe preflight proposes\n  %s", strings.Join(compiler, "\n  "), strings.Join(runtime, "\n  "))
			}
			if !slices.Equal(compiler, c.want) {
				t.Errorf("the migration says\n  %s\nwant\n  %s", strings.Join(compiler, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

// readSnapshot reads a generated schema.json's columns as the runtime
// sees a table's columns.
func readSnapshot(t *testing.T, path string) []table.Column {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := evolve.ParseSchema(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []table.Column
	for _, c := range s.Columns {
		out = append(out, table.Column{Name: c.Name, Type: c.ClickHouse, Comment: c.Comment})
	}
	return out
}
