package warehouse_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// idRows are rows of one UInt64 column, ids from..from+n-1.
type idRows struct{ from, n int }

func (r idRows) Len() int { return r.n }
func (r idRows) AppendRowBinary(dst []byte, i int) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(r.from+i))
}

// A stream of a million rows written in batches is one part, as the
// engine's own INSERT of as many rows is: parts per batch, or per a tenth of
// a million rows, are parts the engine merges while a long load is still
// running.
func TestStreamOfAMillionRowsIsOnePart(t *testing.T) {
	tg := wt.Embedded(t)
	st, ok := tg.Engine.(warehouse.Streamer)
	if !ok {
		t.Fatal("the embedded engine is no Streamer")
	}
	ctx := context.Background()
	db := wt.Database(t)
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		t.Fatal(err)
	}
	if err := tg.Engine.ApplyDDL(ctx, db, "CREATE TABLE ids (id UInt64) ENGINE = MergeTree ORDER BY id;\n"); err != nil {
		t.Fatal(err)
	}
	s, err := st.BeginInsert(ctx, db, "ids", []string{"id"})
	if err != nil {
		t.Fatal(err)
	}
	const n, batch = 1_000_000, 10_000
	for from := 0; from < n; from += batch {
		if err := s.Write(ctx, idRows{from, batch}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	var parts, rows int64
	q := "SELECT toInt64(count()), toInt64(sum(rows)) FROM system.parts WHERE database = " + warehouse.QuoteString(db) + " AND table = 'ids' AND active"
	var r rowbinary.Reader
	if err := tg.Engine.Query(ctx, q, func(src []byte) (int, error) {
		r.Reset(src)
		parts, rows = r.Int64(), r.Int64()
		return r.Offset(), r.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if parts != 1 || rows != n {
		t.Errorf("%d rows in %d parts, want %d in one", rows, parts, n)
	}
}
