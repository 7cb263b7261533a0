package backfill_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/bench"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// queryInt64s runs a query returning Int64 columns.
func queryInt64s(t testing.TB, e warehouse.Engine, q string, cols int) [][]int64 {
	t.Helper()
	var out [][]int64
	var r rowbinary.Reader
	err := e.Query(context.Background(), q, func(src []byte) (int, error) {
		r.Reset(src)
		row := make([]int64, cols)
		for i := range row {
			row[i] = r.Int64()
		}
		out = append(out, row)
		return r.Offset(), r.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGeneratedTickets runs the generated tickets table (the one
// cmd/backfill-connectwise-tickets ships) through load, mutate, rerun and
// full sweep on both engines.
func TestGeneratedTickets(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(5, 400)
		fakeCW(t, store)
		db := wt.Database(t)
		run := func(args ...string) string {
			t.Helper()
			all := []string{"--tenant", db, "--batch-rows", "150"}
			if tg.Kind == warehouse.KindServer {
				all = append(all, "--clickhouse", tg.DSN)
			} else {
				all = append(all, "--data-dir", tg.DataDir)
			}
			var out, errb bytes.Buffer
			if code := backfill.Main(&tickets.Table, append(all, args...), &out, &errb); code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
			}
			return out.String()
		}
		// stats: keys, keys with exactly one current version, rows.
		stats := func() (keys, oneCurrent, rows int64) {
			q := "SELECT toInt64(count()), toInt64(countIf(c = 1)), toInt64(sum(n)) FROM " +
				"(SELECT id, sum(is_current) AS c, count() AS n FROM `" + db + "`.tickets FINAL GROUP BY id)"
			r := queryInt64s(t, tg.Engine, q, 3)[0]
			return r[0], r[1], r[2]
		}
		r := result{stdout: run()}
		expect(t, r, map[string]string{"new keys": "400", "rows written": "400", "rejected": "0"})
		r = result{stdout: run()}
		expect(t, r, map[string]string{"rows written": "0"})
		store.Mutate(9, 25, 7, 12)
		r = result{stdout: run()}
		expect(t, r, map[string]string{"changed": "25", "new keys": "12", "rows written": "62"})
		r = result{stdout: run("--full")}
		expect(t, r, map[string]string{"closed": "7", "rows written": "7", "unchanged": fmt.Sprint(400 - 7 + 12)})
		keys, one, rows := stats()
		if keys != 412 || one != 412-7 || rows != 412+25+0 {
			t.Fatalf("keys %d, with one current version %d, rows %d; want 412, 405, 437", keys, one, rows)
		}
		// The current view shows the source's current tickets.
		cur := queryInt64s(t, tg.Engine, "SELECT toInt64(count()) FROM `"+db+"`.tickets_current", 1)[0][0]
		if cur != int64(len(store.TicketIDs())) {
			t.Errorf("tickets_current has %d rows, want %d", cur, len(store.TicketIDs()))
		}
		// --verify recomputes every row's hash with the generated code and
		// finds nothing, reading the table in several key ranges.
		defer backfill.SetVerifyChunkRows(50)()
		out := run("--verify")
		for _, want := range []string{"record hashes  437 rows recomputed", "source count   405 (current keys 405)", db + ".tickets: no violation"} {
			if !strings.Contains(out, want) {
				t.Errorf("--verify output lacks %q:\n%s", want, out)
			}
		}
	})
}

// BenchmarkLoad measures a first load (every record new) and a full rerun
// (every record unchanged) of the generated tickets table, per engine.
func BenchmarkLoad(b *testing.B) {
	const n = 100_000
	store := cwfake.NewStore(1, n)
	src := bench.NewMemorySource(store, 1000)
	for _, kind := range []string{warehouse.KindEmbedded, warehouse.KindServer} {
		b.Run(kind, func(b *testing.B) {
			var tg wt.Target
			if kind == warehouse.KindEmbedded {
				tg = wt.Embedded(b)
			} else {
				tg = wt.Server(b)
			}
			for i := 0; i < b.N; i++ {
				db := wt.Database(b)
				opts := backfill.Options{Database: db, Tenant: db, PageSize: 1000, BatchRows: backfill.DefaultBatchRows, RejectDir: b.TempDir(), Full: true}
				start := time.Now()
				st, err := backfill.Load(context.Background(), &tickets.Table, tg.Engine, src, opts, nil)
				if err != nil || st.RowsWritten != n {
					b.Fatalf("load: %v, %d rows", err, st.RowsWritten)
				}
				first := time.Since(start)
				start = time.Now()
				st, err = backfill.Load(context.Background(), &tickets.Table, tg.Engine, src, opts, nil)
				if err != nil || st.Unchanged != n {
					b.Fatalf("rerun: %v, %d unchanged", err, st.Unchanged)
				}
				again := time.Since(start)
				b.ReportMetric(n/first.Seconds(), "new-rows/s")
				b.ReportMetric(n/again.Seconds(), "unchanged-rec/s")
				_ = tg.Engine.Exec(context.Background(), "DROP DATABASE "+warehouse.QuoteIdent(db))
			}
		})
	}
}
