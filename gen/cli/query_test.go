package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestQueryUsage: mistakes on the command line are exit 2 and say what to
// do; -h is the manual.
func TestQueryUsage(t *testing.T) {
	t.Setenv("CLICKHOUSE_DSN", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"query"}, "give the SQL as one argument"},
		{[]string{"query", "SELECT 1", "SELECT 2"}, "give the SQL as one argument"},
		{[]string{"query", "--tenant", "bad-name", "SELECT 1"}, "--tenant: invalid name"},
		{[]string{"query", "--bogus", "SELECT 1"}, "unknown flag: --bogus"},
	} {
		code, _, stderr := run(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	code, stdout, _ := run("query", "-h")
	if code != 0 || !strings.Contains(stdout, "Usage: canonic query") || !strings.Contains(stdout, "--http-port") {
		t.Errorf("query -h: exit %d, %q", code, stdout)
	}
	code, _, stderr := run("query", "--data-dir", filepath.Join(t.TempDir(), "none"), "SELECT 1")
	if code != 1 || !strings.Contains(stderr, "does not exist: run a backfill into it first") {
		t.Errorf("missing data directory: exit %d, %q", code, stderr)
	}
}

// TestQueryOutputFile writes Parquet to a file with --output, selects the
// tenant's database and leaves no file when the query fails.
func TestQueryOutputFile(t *testing.T) {
	t.Setenv("CLICKHOUSE_DSN", "")
	tg := wt.Embedded(t)
	db := wt.Database(t)
	ctx := context.Background()
	for _, s := range []string{"CREATE DATABASE " + db, "CREATE TABLE " + db + ".t (id Int32) ENGINE = MergeTree ORDER BY id", "INSERT INTO " + db + ".t SELECT toInt32(number) FROM numbers(3)"} {
		if err := tg.Engine.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "t.parquet")
	code, stdout, stderr := run("query", "--data-dir", tg.DataDir, "--tenant", db, "--format", "Parquet", "--output", out, "SELECT id FROM t ORDER BY id")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(data), "PAR1") {
		t.Fatalf("%s: %v, %d bytes", out, err, len(data))
	}
	code, stdout, _ = run("query", "--data-dir", tg.DataDir, "--tenant", db, "SELECT sum(id) FROM t")
	if code != 0 || stdout != "3\n" {
		t.Errorf("TabSeparated to a pipe: exit %d, %q", code, stdout)
	}
	failed := filepath.Join(t.TempDir(), "failed.csv")
	code, _, stderr = run("query", "--data-dir", tg.DataDir, "--tenant", db, "-o", failed, "SELECT nope FROM t")
	if code != 1 || !strings.Contains(stderr, "nope") {
		t.Errorf("failing query: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(failed); !os.IsNotExist(err) {
		t.Errorf("a failed query left %s: %v", failed, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(failed), ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
