package warehouse_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// insertBenchRows is how many generated ticket rows one op inserts, and
// insertBenchBatch the rows of one INSERT (the loader's --batch-rows
// default).
const (
	insertBenchRows  = 100_000
	insertBenchBatch = 10_000
)

var insertRows = sync.OnceValues(func() ([]tickets.Row, error) {
	store := cwfake.NewStore(1, insertBenchRows)
	ids := store.TicketIDs()
	rows := make([]tickets.Row, len(ids))
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, id := range ids {
		rec, ok := store.RecordJSON(cwfake.TicketsPath, id)
		if !ok {
			return nil, fmt.Errorf("ticket %d not in the store", id)
		}
		if err := tickets.Decode(rec, &rows[i]); err != nil {
			return nil, fmt.Errorf("ticket %d: %w", id, err)
		}
		scd := tickets.Table.SCD(&rows[i])
		scd.EffectiveStartDate, scd.IsCurrent, scd.CreatedAt, scd.UpdatedAt = start, true, start, start
	}
	return rows, nil
})

// ticketRows adapts generated rows to warehouse.Rows.
type ticketRows []tickets.Row

func (t ticketRows) Len() int { return len(t) }
func (t ticketRows) AppendRowBinary(dst []byte, i int) []byte {
	return tickets.Table.AppendRowBinary(dst, &t[i])
}

// nativeInsert returns the server engine's insert before it moved to the
// HTTP interface: clickhouse-go's batch Append of one row of Go values at
// a time (the generated AppendValues), over the native protocol.
func nativeInsert(tb testing.TB, tg wt.Target) (insert func(ctx context.Context, db, tbl string, cols []string, rows []tickets.Row) error, closeConn func()) {
	opts, err := clickhouse.ParseDSN(tg.Server.NativeDSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default"))
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		tb.Fatal(err)
	}
	var vals []any
	return func(ctx context.Context, db, tbl string, cols []string, rows []tickets.Row) error {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = warehouse.QuoteIdent(c)
		}
		batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+warehouse.QuoteIdent(db)+"."+warehouse.QuoteIdent(tbl)+" ("+strings.Join(quoted, ", ")+")")
		if err != nil {
			return err
		}
		defer batch.Abort() //nolint:errcheck // after Send it only reports that the batch was sent
		for i := range rows {
			vals = tickets.Table.AppendValues(vals[:0], &rows[i])
			if err := batch.Append(vals...); err != nil {
				return err
			}
		}
		return batch.Send()
	}, func() { conn.Close() }
}

// BenchmarkServerInsert inserts the same 100k generated ticket rows
// (cwfake seed 1, decoded by tickets.Decode) into the 18.16 server, in
// INSERTs of 10000 rows (the loader's --batch-rows default), two ways:
// native is clickhouse-go's batch Append of Go values (the generated
// AppendValues; the server engine's insert until it moved), http is the
// server engine's Insert: one POST per INSERT to the HTTP interface with
// the body streamed in RowBinary (the generated AppendRowBinary, which the
// embedded engine takes too). Each way writes its own table, emptied
// before every op; the ways alternate batch by batch (who goes first
// alternates too), so that both see the same machine load.
//
// Reported per way: rows/s (wall clock), allocations per row in this
// process (runtime.MemStats.Mallocs), client and server CPU per row
// (getrusage of this process; /proc/PID/stat of the server, background
// merges included). x_http_over_native is http rows/s over native rows/s,
// x_cpu_native_over_http the total CPU per row of native over http.
func BenchmarkServerInsert(b *testing.B) {
	tg := wt.Server(b)
	rows, err := insertRows()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db := wt.Database(b)
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		b.Fatal(err)
	}
	defer tg.Engine.Exec(ctx, "DROP DATABASE IF EXISTS "+warehouse.QuoteIdent(db))
	cols := warehouse.ColumnNames(tickets.Table.Columns)
	native, closeNative := nativeInsert(b, tg)
	defer closeNative()
	type way struct {
		name                 string
		insert               func(ctx context.Context, db, tbl string, cols []string, rows []tickets.Row) error
		tbl                  string
		wall, client, server time.Duration
		allocs               uint64
	}
	ways := []*way{
		{name: "native", insert: native},
		{name: "http", insert: func(ctx context.Context, db, tbl string, cols []string, rows []tickets.Row) error {
			return tg.Engine.Insert(ctx, db, tbl, cols, ticketRows(rows))
		}},
	}
	for _, w := range ways {
		w.tbl = "tickets_" + w.name
		ddl := strings.ReplaceAll(tickets.Table.DDL, "`"+tickets.Table.Name+"`", "`"+w.tbl+"`")
		if err := tg.Engine.ApplyDDL(ctx, db, ddl); err != nil {
			b.Fatal(err)
		}
	}
	pid := tg.Server.PID()
	var ms runtime.MemStats
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		for _, w := range ways {
			if err := tg.Engine.Exec(ctx, "TRUNCATE TABLE "+warehouse.QuoteIdent(db)+"."+warehouse.QuoteIdent(w.tbl)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for k, off := 0, 0; off < len(rows); k, off = k+1, off+insertBenchBatch {
			batch := rows[off:min(off+insertBenchBatch, len(rows))]
			for j := range ways {
				w := ways[(j+k+n)%len(ways)]
				runtime.ReadMemStats(&ms)
				mallocs := ms.Mallocs
				c0, s0 := processCPU(b, 0), processCPU(b, pid)
				t0 := time.Now()
				if err := w.insert(ctx, db, w.tbl, cols, batch); err != nil {
					b.Fatalf("%s: %v", w.name, err)
				}
				w.wall += time.Since(t0)
				w.client += processCPU(b, 0) - c0
				w.server += processCPU(b, pid) - s0
				runtime.ReadMemStats(&ms)
				w.allocs += ms.Mallocs - mallocs
			}
		}
	}
	b.StopTimer()
	total := float64(b.N) * float64(len(rows))
	for _, w := range ways {
		b.ReportMetric(total/w.wall.Seconds(), w.name+"_rows/s")
		b.ReportMetric(float64(w.allocs)/total, w.name+"_allocs/row")
		b.ReportMetric(float64(w.client.Nanoseconds())/total, w.name+"_client_cpu_ns/row")
		b.ReportMetric(float64(w.server.Nanoseconds())/total, w.name+"_server_cpu_ns/row")
	}
	b.ReportMetric(ways[0].wall.Seconds()/ways[1].wall.Seconds(), "x_http_over_native")
	b.ReportMetric((ways[0].client+ways[0].server).Seconds()/(ways[1].client+ways[1].server).Seconds(), "x_cpu_native_over_http")
	for _, w := range ways {
		n := queryInt64(b, tg.Engine, "SELECT toInt64(count()) FROM "+warehouse.QuoteIdent(db)+"."+warehouse.QuoteIdent(w.tbl))
		if n != int64(len(rows)) {
			b.Fatalf("%s: table holds %d rows, want %d", w.name, n, len(rows))
		}
	}
}

// processCPU is the user and system CPU time process pid has used (0:
// this process).
func processCPU(tb testing.TB, pid int) time.Duration {
	if pid == 0 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			tb.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command name (which ends with ")"): utime and stime
	// are the 12th and 13th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
