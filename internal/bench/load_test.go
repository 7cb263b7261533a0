package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestMain stops the last fixture's server process (and removes its
// files) when the tests end.
func TestMain(m *testing.M) {
	wt.Main(m, releaseLoadFixture)
}

// CANONIC_BENCH_BATCH_ROWS sets the loads' --batch-rows (default the flag's).

// EnvN overrides the numbers of tickets of the end-to-end benchmark: a
// comma-separated list ("100000,1000000"), run side by side in one run.
const EnvN = "CANONIC_BENCH_N"

const defaultN = 20_000

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

// loadFixture is N tickets served three ways: by the cwfake command on
// loopback, in a process of its own (through the ConnectWise client), from
// pre-rendered pages in memory, and as a JSONEachRow file for the engine's
// own ingest.
type loadFixture struct {
	n       int
	client  *connectwise.Client
	memory  *MemorySource // the loader's pages and notes, outside the heap (see offHeap)
	file    string        // JSONEachRow, one record per line, description joined in
	ingest  string        // the engine's ingest of every column, with DB in place of the database
	own     string        // the same without the child columns (description NULL)
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
	dir, err := os.MkdirTemp("", "canonic-bench-")
	if err != nil {
		tb.Fatal(err)
	}
	// The server runs in its own process, as ConnectWise does: its store
	// and render cache are not in this process's heap, so they cost the
	// loader's garbage collector nothing.
	url, stop := startCWFake(tb, buildCommand(tb, dir, "cwfake"), dir, n)
	fx := &loadFixture{n: n}
	fx.cleanup = func() {
		stop()
		os.RemoveAll(dir)
		if fx.memory != nil {
			fx.memory.Free()
		}
	}
	if err := buildLoadFixture(fx, url, dir); err != nil {
		fx.cleanup()
		tb.Fatal(err)
	}
	debug.FreeOSMemory() // the fixture's garbage (rendered pages, the store) goes before the loads
	loadFx = fx
	return fx
}

// releaseLoadFixture stops the fixture's server and frees its pages, if
// there is a fixture.
func releaseLoadFixture() {
	loadMu.Lock()
	defer loadMu.Unlock()
	if loadFx != nil {
		loadFx.cleanup()
		loadFx = nil
	}
}

func buildLoadFixture(fx *loadFixture, url, dir string) error {
	client, err := connectwise.New(connectwise.Config{
		BaseURL: url, Company: cwfake.DefaultCompanyID,
		PublicKey: cwfake.DefaultPublicKey, PrivateKey: cwfake.DefaultPrivateKey, ClientID: cwfake.DefaultClientID,
	})
	if err != nil {
		return err
	}
	fx.client = client
	// Warm the server's render cache (startCWFake sizes it to hold every
	// record) with the loader's own query (the mapped fields, forward-only
	// pages): the timed loads then measure the client, the loader and the
	// engine, not the fake's JSON encoding, which a real ConnectWise does
	// on its own machines. The notes are rendered on every request.
	warm := connectwise.Query{PageSize: connectwise.MaxPageSize, ForwardOnly: true, Fields: tickets.Table.SourceFields}
	if err := client.Pages(context.Background(), tickets.Table.Endpoint, warm, func(connectwise.Page) error { return nil }); err != nil {
		return err
	}
	g, err := NewGeneric[tickets.Row](filepath.Join("..", "..", tickets.Table.Mapping))
	if err != nil {
		return err
	}
	store := cwfake.NewStore(1, fx.n) // the server's records (same seed), for the notes
	// The pages the loader asks for (its fields parameter: a free-keyed
	// map such as _info comes whole), so that every variant and the
	// engine read the same bytes.
	pages, err := RenderPages(store, connectwise.MaxPageSize, tickets.Table.SourceFields)
	if err != nil {
		return err
	}
	fx.file = filepath.Join(dir, "tickets.jsonl")
	f, err := os.Create(fx.file)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, p := range pages {
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
	// The pages and the notes leave the heap, and the store is dropped:
	// the loads in this process collect as often as the backfill binary.
	ch := tickets.Table.Children[0]
	notesQuery := connectwise.Query{Conditions: ch.Conditions, OrderBy: ch.OrderBy, Fields: ch.Fields}
	if fx.memory, err = NewOffHeapMemorySource(pages, store, ch.Endpoint, notesQuery); err != nil {
		return err
	}
	if fx.ingest, err = IngestSQL(g, "DB", tickets.Table.Name, tickets.Table.VersionColumn, fx.file); err != nil {
		return err
	}
	fx.own, err = IngestSQL(g.OwnColumns(), "DB", tickets.Table.Name, tickets.Table.VersionColumn, fx.file)
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

// PagesByIDRange forwards parallel streams (--streams) when the source
// has them, and counts each stream's time outside fn as fetching.
func (s *timedSource) PagesByIDRange(ctx context.Context, ep string, q connectwise.Query, idField string, ranges [][2]int64, streams int,
	fn func(int, connectwise.Page) error) error {
	rs, ok := s.Source.(backfill.RangeSource)
	if !ok {
		return fmt.Errorf("timed source: %T has no id-range streams", s.Source)
	}
	var inFn atomic.Int64
	t0 := time.Now()
	err := rs.PagesByIDRange(ctx, ep, q, idField, ranges, streams, func(stream int, p connectwise.Page) error {
		t := time.Now()
		err := fn(stream, p)
		inFn.Add(int64(time.Since(t)))
		return err
	})
	s.mu.Lock()
	s.fetch += time.Duration(streams)*time.Since(t0) - time.Duration(inFn.Load())
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

// BeginInsert times the stream's writes and commit as inserting (the
// benchmark's engine, embedded, is a warehouse.Streamer).
func (e *timedEngine) BeginInsert(ctx context.Context, db, tbl string, columns []string) (warehouse.InsertStream, error) {
	st, ok := e.Engine.(warehouse.Streamer)
	if !ok {
		return nil, fmt.Errorf("%s cannot stream inserts", e.Engine)
	}
	t := time.Now()
	defer func() { e.insert += time.Since(t) }()
	s, err := st.BeginInsert(ctx, db, tbl, columns)
	if err != nil {
		return nil, err
	}
	return &timedStream{InsertStream: s, e: e}, nil
}

type timedStream struct {
	warehouse.InsertStream
	e *timedEngine
}

func (s *timedStream) Write(ctx context.Context, rows warehouse.Rows) error {
	t := time.Now()
	defer func() { s.e.insert += time.Since(t) }()
	return s.InsertStream.Write(ctx, rows)
}

func (s *timedStream) Commit() error {
	t := time.Now()
	defer func() { s.e.insert += time.Since(t) }()
	return s.InsertStream.Commit()
}

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

// engineIngestQuery creates db with the generated DDL and returns ingest
// (fx.ingest or fx.own) into it.
func engineIngestQuery(tb testing.TB, tg wt.Target, ingest, db string) string {
	ctx := context.Background()
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		tb.Fatal(err)
	}
	if err := tg.Engine.ApplyDDL(ctx, db, tickets.Table.DDL); err != nil {
		tb.Fatal(err)
	}
	return strings.Replace(ingest, "`DB`", warehouse.QuoteIdent(db), 1)
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

// ownColumns is the tickets table without its child columns: description
// stays NULL and no notes are requested, as before descriptions were read.
func ownColumns() *table.Table[tickets.Row] {
	t := tickets.Table
	t.Children, t.Rehash = nil, nil
	return &t
}

// TestEngineIngestMatches checks that the engine's ingest writes the same
// rows as the backfill (every column but created_at and updated_at, the
// record hash included), with and without the child columns, so that the
// two do the same work.
func TestEngineIngestMatches(t *testing.T) {
	tg := wt.Embedded(t)
	fx := getLoadFixture(t, defaultN)
	for _, c := range []struct {
		name   string
		tbl    *table.Table[tickets.Row]
		ingest string
	}{{"descriptions", &tickets.Table, fx.ingest}, {"own", ownColumns(), fx.own}} {
		t.Run(c.name, func(t *testing.T) {
			a, b := wt.Database(t)+"_backfill", wt.Database(t)+"_engine"
			defer dropDB(tg, a)
			defer dropDB(tg, b)
			st, err := backfill.Load(context.Background(), c.tbl, tg.Engine, fx.memory, loadOpts(t, a, false), nil)
			if err != nil || st.RowsWritten != int64(fx.n) {
				t.Fatalf("backfill: %v, %d rows", err, st.RowsWritten)
			}
			if err := tg.Engine.Exec(context.Background(), engineIngestQuery(t, tg, c.ingest, b)); err != nil {
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
			described := queryInt64(t, tg, "SELECT toInt64(countIf(description IS NOT NULL)) FROM "+warehouse.QuoteIdent(a)+".tickets")
			if (c.name == "own") != (described == 0) {
				t.Errorf("%d rows with a description", described)
			}
			for _, pair := range [][2]string{{a, b}, {b, a}} {
				q := "SELECT toInt64(count()) FROM (" + sel(pair[0]) + " EXCEPT " + sel(pair[1]) + ")"
				if n := queryInt64(t, tg, q); n != 0 {
					t.Errorf("%d rows of %s are not in %s", n, pair[0], pair[1])
				}
			}
		})
	}
}

// EnvRounds sets how many rounds BenchmarkEndToEnd runs (default 3).
const EnvRounds = "CANONIC_BENCH_ROUNDS"

// BenchmarkEndToEnd loads N tickets into an empty embedded database, for
// each N of CANONIC_BENCH_N (default 20000; `make bench`: 100000 and
// 1000000, as Tickets<N>/...). The cwfake command serves the records from
// its own process, its render cache sized for the run and warmed by one
// sweep, so no page is rendered during a timed load.
//
// The machine is noisy (2 shared cores), so the variants run interleaved:
// each of CANONIC_BENCH_ROUNDS rounds runs every variant once, and each
// figure is the median over the rounds (rows/s-best: the best round).
//
//   - BackfillHTTP: backfill.Load through the ConnectWise client from the
//     cwfake server, the ticket's own columns (description NULL, no notes
//     requests); then, also timed, a --full rerun and the rerun as users
//     run it (no flags: it resumes from the recorded cursor), both over
//     unchanged data.
//   - BackfillHTTPStreams2: BackfillHTTP with --streams 2 (two id ranges
//     fetched in parallel), first load only.
//   - BackfillHTTPDescriptions: the same with the generated table as is:
//     description read from each new ticket's notes, one request a ticket.
//   - BackfillMemory, BackfillMemoryDescriptions: the same two from pages
//     pre-rendered in memory (no HTTP; notes from the store).
//   - EngineIngest, EngineIngestDescriptions: the engine's own INSERT ...
//     SELECT from a JSONEachRow file of the same records (description
//     joined in, or left NULL), into a table of the same DDL (IngestSQL).
//   - Ratios: x_backfill_over_engine (BackfillHTTP rows/s over
//     EngineIngest's, target >= 1), the same for the other variants, and
//     x_first_over_rerun / x_first_over_incremental_rerun (first load time
//     over a rerun's, target >= 5 for the rerun as run, with zero rows).
func BenchmarkEndToEnd(b *testing.B) {
	// The last size's fixture goes when the benchmark ends: at 1M tickets
	// its server process holds about 16 GB, and the memory benchmark that
	// follows starts a server of its own (the two did not fit in 24 GB).
	defer releaseLoadFixture()
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("Tickets%d", n), func(b *testing.B) { endToEnd(b, n) })
	}
}

// loadVariant is one way of loading the fixture.
type loadVariant struct {
	name   string
	src    backfill.Source
	tbl    *table.Table[tickets.Row]
	engine string // the name of the engine ingest it is compared with
	reruns bool   // also time a --full and an incremental rerun
	// streams, when not 0, is the load's --streams (else
	// CANONIC_BENCH_STREAMS, default 1).
	streams int
}

// roundFigures are one variant's measurements, one entry per round.
type roundFigures struct {
	wall, cpu, fetch, insert []float64 // seconds
	full, incremental        []float64 // first-load time over the rerun's
	rerunRows                int64
}

func endToEnd(b *testing.B, n int) {
	tg := wt.Embedded(b)
	fx := getLoadFixture(b, n)
	ctx := context.Background()
	rounds := 3
	if v, err := strconv.Atoi(os.Getenv(EnvRounds)); err == nil && v > 0 {
		rounds = v
	}
	variants := []loadVariant{
		{"BackfillHTTP", fx.client, ownColumns(), "EngineIngest", true, 0},
		{"BackfillHTTPStreams2", fx.client, ownColumns(), "EngineIngest", false, 2},
		{"BackfillHTTPDescriptions", fx.client, &tickets.Table, "EngineIngestDescriptions", false, 0},
		{"BackfillMemory", fx.memory, ownColumns(), "EngineIngest", false, 0},
		{"BackfillMemoryDescriptions", fx.memory, &tickets.Table, "EngineIngestDescriptions", false, 0},
	}
	engines := []struct{ name, ingest string }{{"EngineIngest", fx.own}, {"EngineIngestDescriptions", fx.ingest}}
	figs := map[string]*roundFigures{}
	for _, v := range variants {
		figs[v.name] = &roundFigures{}
	}
	for _, e := range engines {
		figs[e.name] = &roundFigures{}
	}
	for range rounds {
		for _, v := range variants {
			f, db := figs[v.name], wt.Database(b)
			ts := &timedSource{Source: v.src}
			te := &timedEngine{Engine: tg.Engine}
			opts := loadOpts(b, db, false)
			if v.streams > 0 {
				opts.Streams = v.streams
			}
			t0, c0 := time.Now(), processCPU(b)
			st, err := backfill.Load(ctx, v.tbl, te, ts, opts, nil)
			first := time.Since(t0)
			if err != nil || st.RowsWritten != int64(n) || st.NewKeys != int64(n) {
				b.Fatalf("%s: first load: %v, %d rows, %d new", v.name, err, st.RowsWritten, st.NewKeys)
			}
			if v.streams > 0 && st.Streams != v.streams {
				b.Fatalf("%s: the load used %d streams, want %d", v.name, st.Streams, v.streams)
			}
			f.wall = append(f.wall, first.Seconds())
			f.cpu = append(f.cpu, (processCPU(b) - c0).Seconds())
			f.fetch = append(f.fetch, ts.fetch.Seconds())
			f.insert = append(f.insert, te.insert.Seconds())
			if v.reruns {
				t0 = time.Now()
				st, err = backfill.Load(ctx, v.tbl, tg.Engine, v.src, loadOpts(b, db, true), nil)
				if err != nil || st.Unchanged != int64(n) || st.RecordsRead != int64(n) {
					b.Fatalf("%s: --full rerun: %v, %d read, %d unchanged", v.name, err, st.RecordsRead, st.Unchanged)
				}
				f.full = append(f.full, first.Seconds()/time.Since(t0).Seconds())
				f.rerunRows += st.RowsWritten
				t0 = time.Now()
				st, err = backfill.Load(ctx, v.tbl, tg.Engine, v.src, loadOpts(b, db, false), nil)
				if err != nil {
					b.Fatalf("%s: incremental rerun: %v", v.name, err)
				}
				f.incremental = append(f.incremental, first.Seconds()/time.Since(t0).Seconds())
				f.rerunRows += st.RowsWritten
			}
			dropDB(tg, db)
		}
		for _, e := range engines {
			f, db := figs[e.name], wt.Database(b)
			q := engineIngestQuery(b, tg, e.ingest, db)
			t0, c0 := time.Now(), processCPU(b)
			if err := tg.Engine.Exec(ctx, q); err != nil {
				b.Fatalf("%s: %v", e.name, err)
			}
			f.wall = append(f.wall, time.Since(t0).Seconds())
			f.cpu = append(f.cpu, (processCPU(b) - c0).Seconds())
			if got := queryInt64(b, tg, "SELECT toInt64(count()) FROM "+warehouse.QuoteIdent(db)+".tickets"); got != int64(n) {
				b.Fatalf("%s wrote %d rows, want %d", e.name, got, n)
			}
			dropDB(tg, db)
		}
	}
	rate := func(name string) float64 { return float64(n) / median(figs[name].wall) }
	report := func(name string, more func(b *testing.B, f *roundFigures)) {
		b.Run(name, func(b *testing.B) {
			for range b.N {
			}
			f := figs[name]
			b.ReportMetric(rate(name), "rows/s")
			b.ReportMetric(float64(n)/slices.Min(f.wall), "rows/s-best")
			// CPU time over wall time: the cores the load kept busy (the
			// engine's threads included, the server's process not).
			b.ReportMetric(median(f.cpu)/median(f.wall), "cpu-cores")
			if more != nil {
				more(b, f)
			}
		})
	}
	for _, v := range variants {
		report(v.name, func(b *testing.B, f *roundFigures) {
			// Shares of the load's wall time: fetching pages and notes (in
			// parallel, so it may pass 1), the engine's INSERTs.
			b.ReportMetric(median(f.fetch)/median(f.wall), "fetch-share")
			b.ReportMetric(median(f.insert)/median(f.wall), "insert-share")
			if v.reruns {
				b.ReportMetric(median(f.full), "x_first_over_full_rerun")
				b.ReportMetric(median(f.incremental), "x_first_over_incremental_rerun")
				b.ReportMetric(float64(f.rerunRows), "rerun-rows-written")
			}
		})
	}
	for _, e := range engines {
		report(e.name, nil)
	}
	b.Run("Ratios", func(b *testing.B) {
		for range b.N {
		}
		b.ReportMetric(float64(rounds), "rounds")
		for _, v := range variants {
			unit := "x_" + strings.ToLower(strings.TrimPrefix(v.name, "Backfill")) + "_over_engine"
			b.ReportMetric(rate(v.name)/rate(v.engine), unit)
		}
	})
}

// median is the middle value of xs (the mean of the two middle ones for
// an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchStreams is the loader's --streams (CANONIC_BENCH_STREAMS, default 1).
func benchStreams() int {
	if n, err := strconv.Atoi(os.Getenv("CANONIC_BENCH_STREAMS")); err == nil && n > 0 {
		return n
	}
	return 1
}

// processCPU is the CPU time this process has used (user and system, all
// threads: the engine's included). CPU time over wall time is how many
// cores a load kept busy on average.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
