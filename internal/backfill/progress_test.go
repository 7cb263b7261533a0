package backfill_test

import (
	"regexp"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestBatchLogCountsCommittedRows: the last "batch done" log line of a
// load reports the rows the summary reports (the INSERT that was in flight
// when the batch was planned included).
func TestBatchLogCountsCommittedRows(t *testing.T) {
	tg := wt.Embedded(t)
	fakeCW(t, cwfake.NewStore(2, 300))
	db := wt.Database(t)
	for _, batch := range []string{"97", "10000"} {
		r := mustLoad(t, tg, db, "--full", "--batch-rows", batch)
		if batch == "10000" {
			// The second run writes nothing: its log must say 0 too.
			expect(t, r, map[string]string{"rows written": "0"})
		}
		want := summaryValue(t, r, "rows written")
		m := regexp.MustCompile(`msg="batch done".* rows_written=(\d+)`).FindAllStringSubmatch(r.stderr, -1)
		if len(m) == 0 {
			t.Fatalf("--batch-rows %s: no batch done line:\n%s", batch, r.stderr)
		}
		if got := m[len(m)-1][1]; got != want {
			t.Errorf("--batch-rows %s: last batch done line says rows_written=%s, the summary %s\n%s", batch, got, want, r.stderr)
		}
	}
}
