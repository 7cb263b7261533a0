package backfill_test

import (
	"fmt"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestParallelStreamsLoadTheSameTable loads one source with a single
// stream and with four parallel id-range streams (plus a request budget):
// both tables hold exactly the same versions, and a rerun with streams
// writes nothing.
func TestParallelStreamsLoadTheSameTable(t *testing.T) {
	tg := wt.Embedded(t)
	store := cwfake.NewStore(21, 1500)
	fakeCW(t, store)
	one, four := wt.Database(t), wt.Database(t)
	mustLoad(t, tg, one, "--page-size", "100")
	r := mustLoad(t, tg, four, "--page-size", "100", "--streams", "4", "--rpm", "6000")
	expect(t, r, map[string]string{"new keys": "1500", "duplicates": "0", "rows written": "1500", "streams": "4"})

	q := func(db string) [][]int64 {
		return queryInt64s(t, tg.Engine, fmt.Sprintf(
			"SELECT id, toInt64(toUnixTimestamp(effective_start_date)), toInt64(cityHash64(record_hash)) FROM `%s`.tickets FINAL ORDER BY id, effective_start_date", db), 3)
	}
	a, b := q(one), q(four)
	if len(a) != 1500 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("one stream loaded %d versions, four streams %d, or they differ", len(a), len(b))
	}
	store.Mutate(3, 40, 0, 10)
	r = mustLoad(t, tg, four, "--page-size", "100", "--streams", "4", "--full")
	expect(t, r, map[string]string{"changed": "40", "new keys": "10", "rows written": "90", "streams": "4"})
	r = mustLoad(t, tg, four, "--page-size", "100", "--streams", "4", "--full")
	expect(t, r, map[string]string{"rows written": "0"})
}
