package bench

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

// CANONIC_BENCH_BATCH_ROWS sets the loads' --batch-rows (default the flag's).

// EnvN overrides the numbers of tickets of the end-to-end benchmark: a
// comma-separated list ("100000,1000000"), run side by side in one run.
const EnvN = "CANONIC_BENCH_N"

const defaultN = 20_000

// fullMemoryMax is the largest size at which the fixture also keeps whole
// records in memory (BackfillMemory): at 1M tickets they take gigabytes.
const fullMemoryMax = 100_000

func benchSizes(tb testing.TB) []int {
	v := os.Getenv(EnvN)
	if v == "" {
		return []int{defaultN}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			tb.Fatalf("%s=%q: want comma-separated positive numbers", EnvN, v)
		}
		out = append(out, n)
	}
	return out
}

// loadFixture is N tickets served three ways: by a cwfake server on
// loopback (through the ConnectWise client), from memory (pre-rendered
// pages), and as a JSONEachRow file for the engine's own ingest.
type loadFixture struct {
	n       int
	client  *connectwise.Client
	memory  *MemorySource // whole records; nil above fullMemoryMax
	partial *MemorySource // pages with fields = the mapping's source paths
	file    string        // JSONEachRow, one record per line
	ingest  string        // the INSERT ... SELECT of the engine's ingest, with DB in place of the database
	cleanup func()
}

// The fixture of one size at a time: a 1M-ticket fixture holds
// gigabytes, so a new size releases the previous one.
var (
	loadMu sync.Mutex
	loadFx *loadFixture
)

func getLoadFixture(tb testing.TB, n int) *loadFixture {
	tb.Helper()
	loadMu.Lock()
	defer loadMu.Unlock()
	if loadFx != nil && loadFx.n == n {
		return loadFx
	}
	if loadFx != nil {
		loadFx.cleanup()
		loadFx = nil
	}
	fx := &loadFixture{}
	if err := buildLoadFixture(fx, n); err != nil {
		tb.Fatal(err)
	}
	loadFx = fx
	return fx
}

func buildLoadFixture(fx *loadFixture, n int) error {
	fx.n = n
	store := cwfake.NewStore(1, n)
	// Hold every rendered record: after the warming sweep below no page is
	// rendered again, whatever the size.
	store.SetRenderCacheBytes(math.MaxInt)
	srv := httptest.NewServer(cwfake.New(cwfake.Config{Store: store}))
	client, err := connectwise.New(connectwise.Config{
		BaseURL: srv.URL + cwfake.DefaultBasePath + "/", Company: cwfake.DefaultCompanyID,
		PublicKey: cwfake.DefaultPublicKey, PrivateKey: cwfake.DefaultPrivateKey, ClientID: cwfake.DefaultClientID,
	})
	if err != nil {
		srv.Close()
		return err
	}
	fx.client = client
	// Warm the fake server's render cache with the loader's own query (the
	// mapped fields, forward-only pages): the timed loads then measure the
	// client, the loader and the engine, not the fake's JSON encoding,
	// which a real ConnectWise does on its own machines.
	warm := connectwise.Query{PageSize: connectwise.MaxPageSize, ForwardOnly: true, Fields: tickets.Table.SourceFields}
	if err := client.Pages(context.Background(), tickets.Table.Endpoint, warm, func(connectwise.Page) error { return nil }); err != nil {
		srv.Close()
		return err
	}
	g, err := NewGeneric[tickets.Row](filepath.Join("..", "..", tickets.Table.Mapping))
	if err != nil {
		return err
	}
	pages, err := RenderPages(store, connectwise.MaxPageSize, g.SourcePaths())
	if err != nil {
		return err
	}
	fx.partial = NewMemorySourcePages(pages)
	fx.partial.store = store // the tickets' notes, for the description
	if n <= fullMemoryMax {
		fx.memory = NewMemorySource(store, connectwise.MaxPageSize)
	}
	dir, err := os.MkdirTemp("", "canonic-bench-")
	if err != nil {
		return err
	}
	fx.cleanup = func() { srv.Close(); os.RemoveAll(dir) }
	fx.file = filepath.Join(dir, "tickets.jsonl")
	f, err := os.Create(fx.file)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, p := range fx.partial.pages {
		err := connectwise.SplitRecords(p, func(rec []byte) error {
			w.Write(WithDescription(store, rec))
			return w.WriteByte('\n')
		})
		if err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fx.ingest, err = IngestSQL(g, "DB", tickets.Table.Name, tickets.Table.VersionColumn, fx.file)
	return err
}

// timedSource measures the time spent fetching pages (the source's share:
// HTTP, the server's rendering, the client's checks), apart from the time
// the loader spends on them.
type timedSource struct {
	backfill.Source
	mu    sync.Mutex // child requests run in parallel
	fetch time.Duration
}

// FirstChild forwards child requests (the tickets' notes) and counts
// them as fetching.
func (s *timedSource) FirstChild(ctx context.Context, template string, parentID int64, q connectwise.Query) ([]byte, error) {
	cs, ok := s.Source.(backfill.ChildSource)
	if !ok {
		return nil, fmt.Errorf("timed source: %T reads no child endpoints", s.Source)
	}
	t0 := time.Now()
	b, err := cs.FirstChild(ctx, template, parentID, q)
	s.mu.Lock()
	s.fetch += time.Since(t0)
	s.mu.Unlock()
	return b, err
}

func (s *timedSource) Pages(ctx context.Context, ep string, q connectwise.Query, fn func(connectwise.Page) error) error {
	var inFn time.Duration
	t0 := time.Now()
	err := s.Source.Pages(ctx, ep, q, func(p connectwise.Page) error {
		t := time.Now()
		err := fn(p)
		inFn += time.Since(t)
		return err
	})
	s.mu.Lock()
	s.fetch += time.Since(t0) - inFn
	s.mu.Unlock()
	return err
}

// timedEngine measures the time spent in the engine's calls, by kind.
type timedEngine struct {
	warehouse.Engine
	insert, query, exec time.Duration
}

func (e *timedEngine) Exec(ctx context.Context, q string) error {
	t := time.Now()
	defer func() { e.exec += time.Since(t) }()
	return e.Engine.Exec(ctx, q)
}

func (e *timedEngine) ApplyDDL(ctx context.Context, db, ddl string) error {
	t := time.Now()
	defer func() { e.exec += time.Since(t) }()
	return e.Engine.ApplyDDL(ctx, db, ddl)
}

func (e *timedEngine) Query(ctx context.Context, q string, fn func(src []byte) (int, error)) error {
	t := time.Now()
	defer func() { e.query += time.Since(t) }()
	return e.Engine.Query(ctx, q, fn)
}

func (e *timedEngine) Insert(ctx context.Context, db, tbl string, columns []string, rows warehouse.Rows) error {
	t := time.Now()
	defer func() { e.insert += time.Since(t) }()
	return e.Engine.Insert(ctx, db, tbl, columns, rows)
}

func (e *timedEngine) reset() { e.insert, e.query, e.exec = 0, 0, 0 }

func loadOpts(tb testing.TB, db string, full bool) backfill.Options {
	batchRows := backfill.DefaultBatchRows
	if n, err := strconv.Atoi(os.Getenv("CANONIC_BENCH_BATCH_ROWS")); err == nil && n > 0 {
		batchRows = n
	}
	return backfill.Options{
		Database: db, Tenant: db, PageSize: backfill.DefaultPageSize, BatchRows: batchRows,
		MaxRejects: backfill.DefaultMaxRejects, RejectDir: tb.TempDir(), Full: full, Streams: benchStreams(),
	}
}

func dropDB(tg wt.Target, db string) {
	_ = tg.Engine.Exec(context.Background(), "DROP DATABASE IF EXISTS "+warehouse.QuoteIdent(db))
}

// engineIngestQuery creates db with the generated DDL and returns the
// engine's own ingest of the fixture file into it.
func engineIngestQuery(tb testing.TB, tg wt.Target, fx *loadFixture, db string) string {
	ctx := context.Background()
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		tb.Fatal(err)
	}
	if err := tg.Engine.ApplyDDL(ctx, db, tickets.Table.DDL); err != nil {
		tb.Fatal(err)
	}
	return strings.Replace(fx.ingest, "`DB`", warehouse.QuoteIdent(db), 1)
}

func queryInt64(tb testing.TB, tg wt.Target, q string) int64 {
	tb.Helper()
	var v int64
	var r rowbinary.Reader
	err := tg.Engine.Query(context.Background(), q, func(src []byte) (int, error) {
		r.Reset(src)
		v = r.Int64()
		return r.Offset(), r.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// TestEngineIngestMatches checks that the engine's ingest writes the same
// rows as the backfill (every column but created_at and updated_at, the
// record hash included), so that the two do the same work.
func TestEngineIngestMatches(t *testing.T) {
	tg := wt.Embedded(t)
	fx := getLoadFixture(t, defaultN)
	a, b := wt.Database(t)+"_backfill", wt.Database(t)+"_engine"
	defer dropDB(tg, a)
	defer dropDB(tg, b)
	st, err := backfill.Load(context.Background(), &tickets.Table, tg.Engine, fx.memory, loadOpts(t, a, false), nil)
	if err != nil || st.RowsWritten != int64(fx.n) {
		t.Fatalf("backfill: %v, %d rows", err, st.RowsWritten)
	}
	if err := tg.Engine.Exec(context.Background(), engineIngestQuery(t, tg, fx, b)); err != nil {
		t.Fatalf("engine ingest: %v", err)
	}
	var cols []string
	for _, c := range tickets.Columns {
		if c != "created_at" && c != "updated_at" {
			cols = append(cols, warehouse.QuoteIdent(c))
		}
	}
	sel := func(db string) string {
		return "SELECT " + strings.Join(cols, ", ") + " FROM " + warehouse.QuoteIdent(db) + ".tickets"
	}
	if n := queryInt64(t, tg, "SELECT toInt64(count()) FROM "+warehouse.QuoteIdent(b)+".tickets"); n != int64(fx.n) {
		t.Fatalf("engine ingest wrote %d rows, want %d", n, fx.n)
	}
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		q := "SELECT toInt64(count()) FROM (" + sel(pair[0]) + " EXCEPT " + sel(pair[1]) + ")"
		if n := queryInt64(t, tg, q); n != 0 {
			t.Errorf("%d rows of %s are not in %s", n, pair[0], pair[1])
		}
	}
}

// BenchmarkEndToEnd loads N tickets into an empty embedded database, for
// each N of CANONIC_BENCH_N (default 20000; `make bench`: 100000 and
// 1000000, side by side in one run, as Tickets<N>/...); one op = one load.
// The cwfake server holds every record it renders (its render cache is
// sized for the run) and is warmed by one sweep, so no page is rendered
// during a timed load.
//
//   - BackfillHTTP: backfill.Load from a cwfake server on loopback (HTTP,
//     JSON rendering by the server, the ConnectWise client); after each op,
//     untimed, a --full rerun over the same data (Rerun below).
//   - BackfillMemory: backfill.Load from pre-rendered pages in memory (no
//     HTTP), and the same rerun.
//   - EngineIngest: the engine's own INSERT ... SELECT from a JSONEachRow
//     file of the same records, into a table of the same DDL (see
//     IngestSQL); timed: the INSERT only.
//   - Ratios: x_backfill_over_engine (rows/s of BackfillHTTP over
//     EngineIngest, target >= 1), the same for BackfillMemory, and
//     x_first_over_rerun (first load time over a --full rerun's time) and
//     x_first_over_incremental_rerun (over the rerun as users run it, with
//     no flags: it resumes from the recorded cursor; target >= 5, with zero
//     rows written). The in-memory source ignores conditions, so only the
//     HTTP figure of the incremental rerun means anything.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("Tickets%d", n), func(b *testing.B) { endToEnd(b, n) })
	}
}

func endToEnd(b *testing.B, n int) {
	tg := wt.Embedded(b)
	fx := getLoadFixture(b, n)
	ctx := context.Background()
	rate := map[string]float64{}
	rerun := map[string]float64{}
	incremental := map[string]float64{}
	backfillRun := func(name string, src backfill.Source) {
		if src == nil || src == backfill.Source((*MemorySource)(nil)) {
			return // whole records are not kept at this size
		}
		b.Run(name, func(b *testing.B) {
			var first, again, incr, fetchFirst, fetchAgain time.Duration
			var engFirst, engAgain timedEngine // sums of the engine's calls
			var rerunRows int64
			for range b.N {
				b.StopTimer()
				db := wt.Database(b)
				ts := &timedSource{Source: src}
				te := &timedEngine{Engine: tg.Engine}
				b.StartTimer()
				t0 := time.Now()
				st, err := backfill.Load(ctx, &tickets.Table, te, ts, loadOpts(b, db, false), nil)
				first += time.Since(t0)
				b.StopTimer()
				if err != nil || st.RowsWritten != int64(fx.n) || st.NewKeys != int64(fx.n) {
					b.Fatalf("first load: %v, %d rows, %d new", err, st.RowsWritten, st.NewKeys)
				}
				fetchFirst += ts.fetch
				engFirst.insert, engFirst.query, engFirst.exec = engFirst.insert+te.insert, engFirst.query+te.query, engFirst.exec+te.exec
				ts.fetch = 0
				te.reset()
				t0 = time.Now()
				st, err = backfill.Load(ctx, &tickets.Table, te, ts, loadOpts(b, db, true), nil)
				again += time.Since(t0)
				if err != nil || st.Unchanged != int64(fx.n) || st.RecordsRead != int64(fx.n) {
					b.Fatalf("rerun: %v, %d read, %d unchanged", err, st.RecordsRead, st.Unchanged)
				}
				rerunRows += st.RowsWritten
				fetchAgain += ts.fetch
				// The rerun as users run it: no flags, so it resumes from the
				// cursor the runs recorded and fetches only newer records.
				t0 = time.Now()
				st, err = backfill.Load(ctx, &tickets.Table, tg.Engine, src, loadOpts(b, db, false), nil)
				incr += time.Since(t0)
				if err != nil || st.RowsWritten != 0 {
					b.Fatalf("incremental rerun: %v, %d rows written", err, st.RowsWritten)
				}
				rerunRows += st.RowsWritten
				engAgain.insert, engAgain.query, engAgain.exec = engAgain.insert+te.insert, engAgain.query+te.query, engAgain.exec+te.exec
				dropDB(tg, db)
				b.StartTimer()
			}
			n := float64(fx.n * b.N)
			rate[name] = n / first.Seconds()
			rerun[name] = first.Seconds() / again.Seconds()
			b.ReportMetric(rate[name], "rows/s")
			b.ReportMetric(n/again.Seconds(), "rerun-rec/s")
			b.ReportMetric(rerun[name], "x_first_over_rerun")
			incremental[name] = first.Seconds() / incr.Seconds()
			b.ReportMetric(incremental[name], "x_first_over_incremental_rerun")
			b.ReportMetric(float64(rerunRows), "rerun-rows-written")
			// Where the time goes (shares of the load's wall time): fetching
			// pages, the engine's INSERTs, its queries (current versions,
			// schema check, cursor), its DDL/exec; the rest is the loader's
			// own work (split, decode, map, hash, classify, RowBinary).
			share := func(d, of time.Duration) float64 { return d.Seconds() / of.Seconds() }
			b.ReportMetric(share(fetchFirst, first), "fetch-share")
			b.ReportMetric(share(engFirst.insert, first), "insert-share")
			b.ReportMetric(share(engFirst.query+engFirst.exec, first), "query+ddl-share")
			b.ReportMetric(share(fetchAgain, again), "rerun-fetch-share")
			b.ReportMetric(share(engAgain.query+engAgain.exec+engAgain.insert, again), "rerun-engine-share")
		})
	}
	backfillRun("BackfillHTTP", fx.client)
	backfillRun("BackfillMemory", fx.memory)
	backfillRun("BackfillMemoryFields", fx.partial)
	b.Run("EngineIngest", func(b *testing.B) {
		var spent time.Duration
		for range b.N {
			b.StopTimer()
			db := wt.Database(b)
			q := engineIngestQuery(b, tg, fx, db)
			b.StartTimer()
			t0 := time.Now()
			if err := tg.Engine.Exec(ctx, q); err != nil {
				b.Fatalf("engine ingest: %v", err)
			}
			spent += time.Since(t0)
			b.StopTimer()
			if got := queryInt64(b, tg, "SELECT toInt64(count()) FROM "+warehouse.QuoteIdent(db)+".tickets"); got != int64(fx.n) {
				b.Fatalf("engine ingest wrote %d rows, want %d", got, fx.n)
			}
			dropDB(tg, db)
			b.StartTimer()
		}
		rate["EngineIngest"] = float64(fx.n*b.N) / spent.Seconds()
		b.ReportMetric(rate["EngineIngest"], "rows/s")
	})
	b.Run("Ratios", func(b *testing.B) {
		for range b.N {
		}
		if e := rate["EngineIngest"]; e > 0 {
			if r := rate["BackfillHTTP"]; r > 0 {
				b.ReportMetric(r/e, "x_backfill_over_engine")
			}
			if r := rate["BackfillMemory"]; r > 0 {
				b.ReportMetric(r/e, "x_backfill_memory_over_engine")
			}
			if r := rate["BackfillMemoryFields"]; r > 0 {
				b.ReportMetric(r/e, "x_backfill_memory_fields_over_engine")
			}
		}
		if r := rerun["BackfillHTTP"]; r > 0 {
			b.ReportMetric(r, "x_first_over_rerun")
		}
		if r := rerun["BackfillMemory"]; r > 0 {
			b.ReportMetric(r, "x_first_over_rerun_memory")
		}
		if r := rerun["BackfillMemoryFields"]; r > 0 {
			b.ReportMetric(r, "x_first_over_rerun_memory_fields")
		}
	})
}

// benchStreams is the loader's --streams (CANONIC_BENCH_STREAMS, default 1).
func benchStreams() int {
	if n, err := strconv.Atoi(os.Getenv("CANONIC_BENCH_STREAMS")); err == nil && n > 0 {
		return n
	}
	return 1
}
