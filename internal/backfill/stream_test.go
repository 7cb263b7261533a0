package backfill_test

import (
	"testing"

	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// A first load into an empty table appends its batches to one INSERT on
// the embedded engine. A key the source repeats in a later batch commits
// the stream first, so the planner sees the row the run wrote, and the
// rest of the run inserts batch by batch: the table ends as on the
// server, which always does.
func TestFirstLoadStreams(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		setPage := pageCW(t)
		db := wt.Database(t)
		t.Chdir(t.TempDir())
		setPage(
			ticketJSON(5, "first", "", "2024-03-01T00:00:00Z"),
			ticketJSON(6, "six", "", "2024-03-01T00:00:00Z"),
			ticketJSON(7, "seven", "", "2024-03-01T00:00:00Z"),
			ticketJSON(5, "second", "", "2024-03-02T00:00:00Z"), // a repeat, three batches on
			ticketJSON(8, "eight", "", "2024-03-01T00:00:00Z"),
			ticketJSON(9, "nine", "", "2024-03-01T00:00:00Z"),
		)
		r := mustLoad(t, tg, db, "--batch-rows", "1")
		expect(t, r, map[string]string{"records read": "6", "new keys": "5", "changed": "1", "rows written": "7"})
		v := allVersions(t, tg, db)
		checkInvariants(t, v, nil)
		if n := len(v[5]); n != 2 || v[5][0].Summary != "first" || v[5][1].Summary != "second" || !v[5][1].IsCurrent {
			t.Fatalf("key 5 = %+v, want first closed and second current", v[5])
		}
		// Parts written by INSERTs have level 0 and stay listed for minutes
		// after a merge: one a batch on the server; on the embedded engine
		// one for the three records before the repeat, then one a batch.
		want := int64(6) // a batch a record, key 5's close and new version in one
		if tg.Kind == warehouse.KindEmbedded {
			want = 4
		}
		q := "SELECT toInt64(count()) FROM system.parts WHERE database = '" + db + "' AND table = 'tickets' AND level = 0"
		if got := queryInt64s(t, tg.Engine, q, 1)[0][0]; got != want {
			t.Errorf("%d parts inserted, want %d", got, want)
		}
	})
}
