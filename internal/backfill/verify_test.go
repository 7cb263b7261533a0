package backfill_test

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// violationRE matches one violation line of --verify.
var violationRE = regexp.MustCompile(`(?m)^  violation: (?:key (\d+): )?(\w+): `)

// violations returns the "rule key" (or "rule") of each violation line.
func violations(stdout string) []string {
	var out []string
	for _, m := range violationRE.FindAllStringSubmatch(stdout, -1) {
		out = append(out, strings.TrimSpace(m[2]+" "+m[1]))
	}
	slices.Sort(out)
	return out
}

// TestVerify loads a table with history (changes, closed keys), checks
// that --verify finds nothing, then corrupts it in each way --verify
// checks, by inserting rows directly, and expects each violation with its
// key.
func TestVerify(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(3, 40)
		fakeCW(t, store)
		db := wt.Database(t)
		mustLoad(t, tg, db)
		store.Mutate(5, 10, 3, 2)
		mustLoad(t, tg, db, "--full")

		r := load(t, tg, db, "--verify")
		if r.code != backfill.ExitOK || !strings.Contains(r.stdout, db+".tickets: no violation") ||
			!strings.Contains(r.stdout, "source count   39 (current keys 39)") || !strings.Contains(r.stdout, "record hashes  52 rows recomputed") {
			t.Fatalf("clean table: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}

		// Without ConnectWise settings, the count is not compared.
		t.Setenv("CONNECTWISE_URL", "")
		r = load(t, tg, db, "--verify")
		if r.code != backfill.ExitOK || !strings.Contains(r.stdout, "source count   not compared: connectwise: missing environment variable(s): CONNECTWISE_URL") {
			t.Fatalf("no source: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		fakeCW(t, store)

		// The source gains a ticket the table does not have: a count violation.
		store.Mutate(6, 0, 0, 1)
		r = load(t, tg, db, "--verify")
		if got := violations(r.stdout); r.code != backfill.ExitFailed || !slices.Equal(got, []string{"count"}) ||
			!strings.Contains(r.stdout, "39 current keys in "+db+".tickets, but the source's service/tickets/count is 40") {
			t.Fatalf("count: exit %d, violations %v\n%s%s", r.code, got, r.stdout, r.stderr)
		}
		mustLoad(t, tg, db)

		// Corrupt one key per rule. Rows rewrite a (key, start) with a later
		// updated_at, which ReplacingMergeTree keeps.
		v := allVersions(t, tg, db)
		var keys []int64
		for k, vs := range v {
			if len(vs) == 1 && vs[0].IsCurrent {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		if len(keys) < 6 {
			t.Fatalf("only %d single-version keys", len(keys))
		}
		cur := func(i int) wt.Row {
			row := v[keys[i]][0]
			row.UpdatedAt = row.UpdatedAt.Add(time.Hour)
			return row
		}
		end := func(t time.Time) sql.Null[time.Time] { return sql.Null[time.Time]{V: t, Valid: true} }
		var bad []wt.Row
		// current: a second current version, later (it also leaves the
		// first open while a later one follows: an overlap).
		r0 := cur(0)
		r0.EffectiveStartDate = r0.EffectiveStartDate.Add(24 * time.Hour)
		bad = append(bad, r0)
		// flag: the current version marked not current, still without end.
		r1 := cur(1)
		r1.IsCurrent = false
		// end: a closed version ending before it starts.
		r2 := cur(2)
		r2.IsCurrent, r2.EffectiveEndDate = false, end(r2.EffectiveStartDate.Add(-time.Hour))
		// overlap: an earlier version ending after the current one starts.
		r3 := cur(3)
		r3.EffectiveStartDate, r3.IsCurrent, r3.EffectiveEndDate = r3.EffectiveStartDate.Add(-48*time.Hour), false, end(r3.EffectiveStartDate.Add(time.Hour))
		// chain: an earlier version ending a day before the current starts.
		r4 := cur(4)
		r4.EffectiveStartDate, r4.IsCurrent, r4.EffectiveEndDate = r4.EffectiveStartDate.Add(-48*time.Hour), false, end(r4.EffectiveStartDate.Add(-24*time.Hour))
		// hash: a column changed without its record_hash.
		r5 := cur(5)
		r5.Summary += " (edited by hand)"
		bad = append(bad, r1, r2, r3, r4, r5)
		if err := warehouse.Insert(context.Background(), tg.Engine, db, wt.Tickets(), bad); err != nil {
			t.Fatal(err)
		}

		r = load(t, tg, db, "--verify")
		want := []string{"chain " + itoa(keys[4]), "current " + itoa(keys[0]), "end " + itoa(keys[2]), "flag " + itoa(keys[1]),
			"overlap " + itoa(keys[0]), "overlap " + itoa(keys[3]), "hash " + itoa(keys[5]), "count"}
		slices.Sort(want)
		if got := violations(r.stdout); r.code != backfill.ExitFailed || !slices.Equal(got, want) {
			t.Fatalf("corrupted table: exit %d\n got %v\nwant %v\n%s%s", r.code, got, want, r.stdout, r.stderr)
		}
		if last := lastLine(r.stderr); !strings.Contains(last, "--verify found 8 violation(s) in "+db+".tickets (exit status 1)") {
			t.Errorf("last line %q", last)
		}
		// --verify wrote nothing: the corrupted rows are still there.
		if after := allVersions(t, tg, db); len(after[keys[0]]) != 2 || after[keys[5]][0].Summary != r5.Summary {
			t.Errorf("--verify changed the table")
		}
	})
}

func itoa(k int64) string { return strconv.FormatInt(k, 10) }
