package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
)

// TestDriftRefused changes a loaded table by hand and checks that the next
// run refuses it: exit 1, the column named, an ALTER that fixes it
// printed, nothing written. Then (printed_fix_applies) it runs the printed
// statement and checks that the next run succeeds.
func TestDriftRefused(t *testing.T) {
	cases := []struct {
		name   string
		alter  string // %s is the table
		column string
		fix    string // what the printed statement must contain
		stmts  int    // how many statements are printed
	}{
		{"drop_column", "ALTER TABLE %s DROP COLUMN closed_by", "closed_by",
			"ADD COLUMN `closed_by` Nullable(String) AFTER `closed_date`", 2},
		{"modify_column", "ALTER TABLE %s MODIFY COLUMN summary Nullable(String)", "summary",
			"MODIFY COLUMN `summary` String DEFAULT ''", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bothEngines(t, func(t *testing.T, tg *target) {
				cw := startCW(t, cwfake.Config{Store: cwfake.NewStore(61, 300)})
				db := tg.tenant(t, "drift_"+c.name)
				mustBackfill(t, tg, cw, db)
				tg.exec(t, fmt.Sprintf(c.alter, tbl(db)))
				// Give the run something to write.
				rep := cw.Store().Mutate(63, 20, 0, 10)

				runs := "SELECT toString(count()) AS v_n FROM `" + db + "`._canonic_runs"
				rows, final, nruns := tg.countRows(t, db, false), tg.countRows(t, db, true), tg.count(t, runs)
				r := backfill(t, tg, cw, db)
				if r.code != 1 {
					t.Fatalf("a run over the drifted table: exit %d, want 1\n%s", r.code, r)
				}
				out := r.stdout + r.stderr
				if !strings.Contains(out, "column "+c.column+":") {
					t.Errorf("the output does not name column %s:\n%s", c.column, r)
				}
				want := "ALTER TABLE `" + db + "`.`tickets` " + c.fix + ";"
				if !strings.Contains(out, want) {
					t.Errorf("the output does not print %q:\n%s", want, r)
				}
				if got := tg.countRows(t, db, false); got != rows {
					t.Errorf("the refused run wrote: %d rows, %d before", got, rows)
				}
				if got := tg.countRows(t, db, true); got != final {
					t.Errorf("the refused run wrote: %d rows after FINAL, %d before", got, final)
				}
				if got := tg.count(t, runs); got != nruns {
					t.Errorf("the refused run was recorded: %d runs, %d before", got, nruns)
				}

				var fixes []string
				for _, line := range strings.Split(r.stderr, "\n") {
					if line = strings.TrimSpace(line); strings.HasPrefix(line, "ALTER TABLE ") {
						fixes = append(fixes, strings.TrimSuffix(line, ";"))
					}
				}
				// A missing column is added, then its comment set (chschema.Alter).
				if len(fixes) != c.stmts {
					t.Fatalf("%d ALTER statements printed, want %d:\n%s", len(fixes), c.stmts, r)
				}
				t.Logf("printed fix: %s", strings.Join(fixes, "; "))

				t.Run("printed_fix_applies", func(t *testing.T) {
					for _, f := range fixes {
						tg.exec(t, f)
					}
					r := mustBackfill(t, tg, cw, db)
					parseSummary(t, r).expect(t, r, map[string]int64{"new keys": int64(len(rep.Added)), "changed": int64(len(rep.Changed)), "rejected": 0})
					checkSCD(t, tg, db, idSet(sourceTickets(cw.Store().Tickets())))
				})
			})
		})
	}
}
