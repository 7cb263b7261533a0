package warehouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestCheckpoints: the latest checkpoint of a table is open until a
// closed row follows it; each table has its own; a database without the
// state table has none.
func TestCheckpoints(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		ctx := context.Background()
		db := wt.Database(t)
		if _, ok, err := warehouse.OpenCheckpoint(ctx, tg.Engine, db, "tickets"); ok || err != nil {
			t.Fatalf("no table: ok %v err %v", ok, err)
		}
		if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
			t.Fatal(err)
		}
		if err := warehouse.EnsureCheckpointsTable(ctx, tg.Engine, db); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		first := warehouse.Checkpoint{Table: "tickets", RunID: "r1", Open: true, Mode: "full", StartedAt: at, LastID: 1000,
			MaxSeen: at.Add(-time.Hour), WrittenAt: at.Add(time.Second), RecordsRead: 1000, NewKeys: 990, Rejected: 10, RowsWritten: 990}
		second := first
		second.LastID, second.WrittenAt, second.From, second.NoIDSeen = 2500, at.Add(2*time.Second), at.Add(-48*time.Hour), true
		other := warehouse.Checkpoint{Table: "companies", RunID: "r2", Open: true, Mode: "initial", StartedAt: at, LastID: 7, WrittenAt: at}
		for _, cp := range []warehouse.Checkpoint{first, second, other} {
			if err := warehouse.SaveCheckpoint(ctx, tg.Engine, db, cp); err != nil {
				t.Fatal(err)
			}
		}
		got, ok, err := warehouse.OpenCheckpoint(ctx, tg.Engine, db, "tickets")
		second.Seq = uint64(second.WrittenAt.UnixNano())
		if err != nil || !ok || got != second {
			t.Fatalf("open checkpoint = %+v, %v, %v; want %+v", got, ok, err, second)
		}
		done := second
		done.Open, done.WrittenAt, done.Seq = false, at.Add(3*time.Second), 0
		if err := warehouse.SaveCheckpoint(ctx, tg.Engine, db, done); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := warehouse.OpenCheckpoint(ctx, tg.Engine, db, "tickets"); ok || err != nil {
			t.Fatalf("after the closing row: ok %v err %v", ok, err)
		}
		if got, ok, err := warehouse.OpenCheckpoint(ctx, tg.Engine, db, "companies"); !ok || err != nil || got.LastID != 7 || !got.MaxSeen.IsZero() {
			t.Fatalf("companies: %+v %v %v", got, ok, err)
		}
	})
}
