package backfill

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// Source is the ConnectWise API as the loader uses it; *connectwise.Client
// implements it.
type Source interface {
	Pages(ctx context.Context, endpoint string, q connectwise.Query, fn func(page connectwise.Page) error) error
	Count(ctx context.Context, endpoint, conditions string) (int, error)
}

// RangeSource is a Source that can also fetch id ranges in parallel
// streams (connectwise.Client is one); Options.Streams > 1 needs it.
type RangeSource interface {
	Source
	PagesByIDRange(ctx context.Context, endpoint string, q connectwise.Query, idField string, ranges [][2]int64, streams int, fn func(streamIndex int, page connectwise.Page) error) error
}

// Options configure one load.
type Options struct {
	Database   string    // tenant database (validated)
	Tenant     string    // tenant name, for the reject file
	Limit      int       // stop after this many source records; 0 = all
	Since      time.Time // only records updated after it; zero = resume
	Full       bool      // complete sweep; close keys the source no longer returns
	DryRun     bool      // write nothing
	PageSize   int       // records per source page, 1..1000
	MaxRejects int       // fail once more records than this are rejected
	BatchRows  int       // rows per INSERT
	RejectDir  string    // rejects/ is created under it
	CountTotal bool      // ask the source for the record count first (for a progress bar)
	Migrate    bool      // apply pending generated migrations before loading
	AllFields  bool      // fetch whole records instead of only the mapped fields
	// Streams > 1 fetches id ranges in that many parallel forward-only
	// streams (the source must be a RangeSource; ignored with Limit).
	Streams int
	Now     func() time.Time // the clock (time.Now when nil)
}

// Run modes, recorded in the runs table.
const (
	ModeInitial     = "initial"     // no previous cursor: every record
	ModeIncremental = "incremental" // records updated after the last run's cursor
	ModeSince       = "since"       // records updated after --since
	ModeFull        = "full"        // every record, closing the missing keys
	ModeRebaseline  = "rebaseline"  // every record: the hash definition changed since the last run
)

// cursorMargin is subtracted from the run start to bound the cursor a run
// records: a record updated while the sweep runs may sort before the
// sweep's position (forward-only paging walks ids) yet carry an earlier
// lastUpdated than the latest one seen, and the source's clock may run
// ahead of ours. The next run re-reads that window; unchanged records cost
// no writes.
const cursorMargin = 10 * time.Minute

// Stats counts what a load did.
type Stats struct {
	RunID       string
	Mode        string
	From        time.Time // the condition's lower bound, zero when none
	RecordsRead int64     // source records read (rejects and duplicates included)
	NewKeys     int64     // keys written for the first time
	Changed     int64     // keys whose current version was replaced
	Unchanged   int64     // keys whose hash matched their current version
	Closed      int64     // keys closed because a full sweep no longer returned them
	Rebaselined int64     // current versions rewritten in place with a new hash definition (no new version)
	Migrations  []string  // migrations applied before loading
	Streams     int       // parallel id-range streams the sweep used
	Rejected    int64     // records that did not decode (see RejectFile)
	Duplicates  int64     // records collapsed into a later version of the same key
	Repaired    int64     // extra current versions closed (left by an earlier writer)
	RowsWritten int64     // rows inserted (0 on a dry run)
	Cursor      time.Time // cursor recorded for the next run, zero when none
	RejectFile  string    // path of the reject file, "" when none
	// RejectErrors holds the first few reject messages.
	RejectErrors []string
	Elapsed      time.Duration
	// Samples holds up to sampleKeys keys per outcome ("new", "changed",
	// "closed"), for the dry-run report.
	Samples map[string][]int64
	// Complete is false when the sweep stopped early (--limit) or could
	// not know every key (a reject without an id).
	Complete bool
}

const sampleKeys = 10

// Observer is told about progress; the CLI draws a bar or logs.
type Observer interface {
	// Total is the number of records the sweep expects (-1 when unknown).
	Total(n int)
	// Records reports records read so far.
	Records(read int64)
	// Batch reports a written (or, on a dry run, evaluated) batch.
	Batch(s *Stats)
}

// class is what a source record means for its key.
type class uint8

const (
	classNew class = iota
	classChanged
	classUnchanged
	// classRebaseline: the hash differs only under the new definition; the
	// current version is rewritten in place (same start) with the new hash.
	classRebaseline
)

// entry is one source record waiting in a batch.
type entry[R any] struct {
	row     R
	class   class
	version int64 // VersionColumn, Unix seconds (0 when none)
}

// loader holds one load's state.
type loader[R any] struct {
	tbl  *table.Table[R]
	eng  warehouse.Engine
	src  Source
	opts Options
	obs  Observer
	db   string

	runStart time.Time // the run's start, whole seconds: the default version start and the close time
	began    time.Time // the run's start, for the elapsed time
	stats    Stats
	cur      map[int64]warehouse.CurrentVersion
	pending  []entry[R]
	index    map[int64]int // key -> position in pending
	outRows  int           // rows the pending batch will insert
	maxSeen  time.Time     // latest version timestamp read
	prev     time.Time     // cursor of the last succeeded run, zero when none
	rejects  *rejectFile
	rejected map[int64]bool // keys of rejected records: the source still returns them
	noIDSeen bool           // a reject had no usable key: the sweep cannot prove a key is gone
	limited  bool           // the sweep stopped at --limit
	// streamErr is a failure to find the id bounds for parallel streams.
	streamErr error
	// inflight delivers the result of the INSERT running in the
	// background (nil when none), of inflightRows rows.
	inflight     chan error
	inflightRows int64
	// oldHash, when not nil, holds the hashed columns of the definition the
	// current versions were hashed with (it differs from the table's).
	oldHash map[string]bool
	// recordDef says to record the table's hash definition after a
	// complete, successful run.
	recordDef bool
}

// errLimit ends the sweep when --limit is reached.
var errLimit = errors.New("limit reached")

// Load runs one SCD Type 2 load of tbl from src into eng (see the package
// doc for the rules). On error the returned Stats say how far it got.
func Load[R any](ctx context.Context, tbl *table.Table[R], eng warehouse.Engine, src Source, opts Options, obs Observer) (Stats, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	began := opts.Now()
	l := &loader[R]{
		tbl: tbl, eng: eng, src: src, opts: opts, obs: obs, db: opts.Database,
		began: began, runStart: began.UTC().Truncate(time.Second),
		index:    make(map[int64]int),
		rejected: make(map[int64]bool),
	}
	l.stats.RunID = newRunID(l.runStart)
	l.stats.Samples = map[string][]int64{}
	err := l.run(ctx)
	if l.rejects != nil {
		if cerr := l.rejects.Close(); err == nil {
			err = cerr
		}
		l.stats.RejectFile = l.rejects.path
	}
	l.stats.Elapsed = opts.Now().Sub(began)
	return l.stats, err
}

func newRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (l *loader[R]) run(ctx context.Context) (err error) {
	defer func() {
		// Never leave an INSERT running behind the caller's back.
		if werr := l.waitInsert(); err == nil {
			err = werr
		}
	}()
	if err := l.prepare(ctx); err != nil {
		return err
	}
	cond, err := l.condition(ctx)
	if err != nil {
		return err
	}
	if err := l.sweep(ctx, cond); err != nil {
		return err
	}
	if l.opts.Full && l.stats.Complete {
		if err := l.closeMissing(ctx); err != nil {
			return err
		}
	}
	l.stats.Cursor = l.nextCursor()
	if l.opts.DryRun {
		return nil
	}
	if l.recordDef && l.stats.Complete && l.stats.Rejected == 0 && (l.opts.Since.IsZero() || l.oldHash == nil) {
		if err := warehouse.RecordHashDefinition(ctx, l.eng, l.db, l.tbl.Name, l.tbl.HashDefinition, l.tbl.HashColumns, l.opts.Now().UTC()); err != nil {
			return err
		}
	}
	err = warehouse.RecordRun(ctx, l.eng, l.db, warehouse.Run{
		Table: l.tbl.Name, RunID: l.stats.RunID, StartedAt: l.runStart, FinishedAt: l.opts.Now().UTC(),
		Mode: l.stats.Mode, Status: warehouse.RunSucceeded, Cursor: l.stats.Cursor,
		RecordsRead: uint64(l.stats.RecordsRead), NewKeys: uint64(l.stats.NewKeys), Changed: uint64(l.stats.Changed),
		Unchanged: uint64(l.stats.Unchanged), Closed: uint64(l.stats.Closed), Rejected: uint64(l.stats.Rejected),
		RowsWritten: uint64(l.stats.RowsWritten),
	})
	return err
}

// prepare creates the database and table when missing (not on a dry run),
// refuses a drifted table and reads the current versions.
func (l *loader[R]) prepare(ctx context.Context) error {
	exists, err := warehouse.TableExists(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		return err
	}
	if !l.opts.DryRun {
		if err := warehouse.EnsureDatabase(ctx, l.eng, l.db); err != nil {
			return err
		}
		if err := warehouse.EnsureRunsTable(ctx, l.eng, l.db); err != nil {
			return err
		}
		if err := warehouse.EnsureEvolutionTables(ctx, l.eng, l.db); err != nil {
			return err
		}
		if exists {
			if err := l.migrate(ctx); err != nil {
				return err
			}
		}
		if err := l.eng.ApplyDDL(ctx, l.db, l.tbl.DDL); err != nil {
			return err
		}
		if !exists {
			// Created from the current DDL: every migration is covered.
			names := make([]string, len(l.tbl.Migrations))
			for i, m := range l.tbl.Migrations {
				names[i] = m.Name
			}
			if err := warehouse.RecordMigrations(ctx, l.eng, l.db, l.tbl.Name, "baseline", names, l.opts.Now().UTC()); err != nil {
				return err
			}
		}
	} else if exists {
		if pending, err := l.pendingMigrations(ctx); err != nil {
			return err
		} else if len(pending) > 0 {
			return fmt.Errorf("%s.%s has %d pending migration(s): %s; a dry run cannot apply them: run with --migrate", l.db, l.tbl.Name, len(pending), migrationNames(pending))
		}
	}
	if !exists && l.opts.DryRun {
		l.cur = map[int64]warehouse.CurrentVersion{}
		return nil
	}
	if err := warehouse.CheckTable(ctx, l.eng, l.db, l.tbl.Name, l.tbl.Columns); err != nil {
		return err
	}
	if l.cur, err = warehouse.Current(ctx, l.eng, l.db, l.tbl.Name, l.tbl.KeyColumn); err != nil {
		return err
	}
	return l.hashDefinition(ctx)
}

// pendingMigrations lists the table's migrations not recorded as applied.
// A table with no record at all predates migration tracking: it is taken
// to be at migration 0001 (the table as first generated).
func (l *loader[R]) pendingMigrations(ctx context.Context) ([]table.Migration, error) {
	applied, err := warehouse.AppliedMigrations(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		if !l.opts.DryRun {
			return nil, err
		}
		applied = map[string]bool{} // no state table yet
	}
	return pending(l.tbl.Migrations, applied), nil
}

// pending lists the migrations not in applied; with nothing applied at all,
// the first (the table as first generated) counts as applied.
func pending(migrations []table.Migration, applied map[string]bool) []table.Migration {
	var out []table.Migration
	for i, m := range migrations {
		if applied[m.Name] || (i == 0 && len(applied) == 0) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// migrate applies pending migrations when --migrate says so, or refuses
// naming them.
func (l *loader[R]) migrate(ctx context.Context) error {
	applied, err := warehouse.AppliedMigrations(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		return err
	}
	pending := pending(l.tbl.Migrations, applied)
	if len(applied) == 0 && len(l.tbl.Migrations) > 0 {
		if err := warehouse.RecordMigrations(ctx, l.eng, l.db, l.tbl.Name, "baseline", []string{l.tbl.Migrations[0].Name}, l.opts.Now().UTC()); err != nil {
			return err
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if !l.opts.Migrate {
		return fmt.Errorf("%s.%s has %d pending migration(s): %s; review them in generated/%s/%s/migrations and rerun with --migrate",
			l.db, l.tbl.Name, len(pending), migrationNames(pending), l.tbl.Service, l.tbl.Name)
	}
	for _, m := range pending {
		if err := l.eng.ApplyDDL(ctx, l.db, m.SQL); err != nil {
			return fmt.Errorf("migration %s on %s.%s: %w (earlier statements of it may have run; fix and rerun)", m.Name, l.db, l.tbl.Name, err)
		}
		if err := warehouse.RecordMigrations(ctx, l.eng, l.db, l.tbl.Name, "applied", []string{m.Name}, l.opts.Now().UTC()); err != nil {
			return err
		}
		l.stats.Migrations = append(l.stats.Migrations, m.Name)
	}
	return nil
}

func migrationNames(ms []table.Migration) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// hashDefinition compares the recorded hash definition with the table's:
// when they differ, this run re-baselines (reads every record and rewrites
// current versions whose only difference is the definition).
func (l *loader[R]) hashDefinition(ctx context.Context) error {
	def, cols, ok, err := warehouse.LastHashDefinition(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		if l.opts.DryRun {
			return nil
		}
		return err
	}
	switch {
	case !ok:
		// A new table, or one loaded before definitions were recorded: its
		// versions carry this binary's definition.
		l.recordDef = true
	case def != l.tbl.HashDefinition:
		l.oldHash = map[string]bool{}
		for _, c := range cols {
			l.oldHash[c] = true
		}
		l.recordDef = true
	}
	return nil
}

// condition reads the last run's cursor, picks the mode and builds the
// source condition.
func (l *loader[R]) condition(ctx context.Context) (string, error) {
	if l.tbl.CursorField != "" {
		prev, _, err := warehouse.LastCursor(ctx, l.eng, l.db, l.tbl.Name)
		if err != nil {
			return "", err
		}
		l.prev = prev
	}
	var from time.Time
	switch {
	case l.opts.Full:
		l.stats.Mode = ModeFull
	case l.oldHash != nil && l.opts.Since.IsZero():
		l.stats.Mode = ModeRebaseline
	case !l.opts.Since.IsZero():
		l.stats.Mode, from = ModeSince, l.opts.Since
	case l.prev.IsZero():
		l.stats.Mode = ModeInitial
	default:
		l.stats.Mode, from = ModeIncremental, l.prev
	}
	l.stats.From = from
	if from.IsZero() {
		return "", nil
	}
	return connectwise.Time(l.tbl.CursorField, connectwise.Gt, from).Build()
}

// sweep reads every page and feeds the records through the batches.
func (l *loader[R]) sweep(ctx context.Context, cond string) error {
	q := connectwise.Query{Conditions: cond, PageSize: l.opts.PageSize, ForwardOnly: true}
	if !l.opts.AllFields {
		q.Fields = l.tbl.SourceFields // the source sends only what the mapping reads
	}
	if l.opts.Limit > 0 && l.opts.Limit < q.PageSize {
		q.PageSize = l.opts.Limit
	}
	if l.obs != nil {
		total := -1
		if l.opts.CountTotal {
			if n, err := l.src.Count(ctx, l.tbl.Endpoint, cond); err == nil {
				total = n
				if l.opts.Limit > 0 {
					total = min(total, l.opts.Limit)
				}
			}
		}
		l.obs.Total(total)
	}
	var failed error  // a failure of our own, not the source's
	var mu sync.Mutex // streams deliver pages concurrently; records are handled one at a time
	handle := func(page connectwise.Page) error {
		mu.Lock()
		defer mu.Unlock()
		err := connectwise.SplitValidated(page.Body, func(rec []byte) error { // the client validated the page
			if l.opts.Limit > 0 && l.stats.RecordsRead >= int64(l.opts.Limit) {
				return errLimit
			}
			l.stats.RecordsRead++
			if err := l.record(ctx, rec); err != nil {
				failed = err
				return err
			}
			return nil
		})
		if l.obs != nil {
			l.obs.Records(l.stats.RecordsRead)
		}
		return err
	}
	var err error
	l.stats.Streams = 1
	if ranges, rs, ok := l.streamRanges(ctx, cond); ok {
		l.stats.Streams = min(l.opts.Streams, len(ranges))
		err = l.fetchStreams(ctx, rs, q, ranges, handle)
	} else if err = l.streamErr; err == nil {
		err = queued(ctx, 1, func(ctx context.Context, enqueue func(connectwise.Page) error) error {
			return l.src.Pages(ctx, l.tbl.Endpoint, q, enqueue)
		}, handle)
	}
	if errors.Is(err, errLimit) {
		l.limited, err = true, nil
	}
	l.stats.Complete = err == nil && !l.limited && !l.noIDSeen
	if failed != nil {
		return failed
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", l.tbl.Endpoint, err)
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	return l.waitInsert() // the sweep ends when its last INSERT has landed
}

// fetchStreams fetches the id ranges in parallel streams; see queued.
func (l *loader[R]) fetchStreams(ctx context.Context, rs RangeSource, q connectwise.Query, ranges [][2]int64, handle func(connectwise.Page) error) error {
	return queued(ctx, 2*l.opts.Streams, func(ctx context.Context, enqueue func(connectwise.Page) error) error {
		return rs.PagesByIDRange(ctx, l.tbl.Endpoint, q, l.tbl.SourceKeyField, ranges, l.opts.Streams,
			func(_ int, page connectwise.Page) error { return enqueue(page) })
	}, handle)
}

// queued runs fetch in its own goroutine and hands the pages it delivers
// to handle, one at a time, through a queue of depth pages: the next
// request is on the wire while the previous page is mapped and inserted.
// The first error of either side stops both; handle's wins.
func queued(ctx context.Context, depth int, fetch func(ctx context.Context, enqueue func(connectwise.Page) error) error, handle func(connectwise.Page) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan connectwise.Page, depth)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(pages)
		fetchErr <- fetch(ctx, func(page connectwise.Page) error {
			select {
			case pages <- page:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var procErr error
	for page := range pages {
		if procErr != nil {
			continue // drain until the fetch notices the cancel
		}
		if procErr = handle(page); procErr != nil {
			cancel()
		}
	}
	if err := <-fetchErr; procErr == nil {
		return err
	}
	return procErr
}

// waitInsert waits for the INSERT in flight, if any, and counts its rows.
func (l *loader[R]) waitInsert() error {
	if l.inflight == nil {
		return nil
	}
	err := <-l.inflight
	l.inflight = nil
	if err == nil {
		l.stats.RowsWritten += l.inflightRows
	}
	return err
}

// rangesPerStream is how many id ranges each stream gets. Each range ends
// with a partial page, a whole request that carries less, so against an
// API that answers a page a second one range per stream is fastest
// (measured: 12.7 s for 40k records with 2 ranges per stream, see
// internal/bench BenchmarkStreams); finer ranges would only pay off when
// ids are very unevenly spread.
const rangesPerStream = 1

// streamRanges returns the id ranges to fetch in parallel when
// Options.Streams > 1 and the source can; ok is false for a single stream
// (then streamErr may hold why the bounds could not be read).
func (l *loader[R]) streamRanges(ctx context.Context, cond string) ([][2]int64, RangeSource, bool) {
	rs, can := l.src.(RangeSource)
	if l.opts.Streams <= 1 || !can || l.opts.Limit > 0 {
		return nil, nil, false
	}
	// Both bounds at once: against a slow API each is a full round trip.
	var lo, hi int64
	var okLo bool
	var errLo, errHi error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); hi, _, errHi = l.idBound(ctx, cond, "desc") }()
	lo, okLo, errLo = l.idBound(ctx, cond, "asc")
	wg.Wait()
	if err := errors.Join(errLo, errHi); err != nil {
		l.streamErr = err
		return nil, nil, false
	}
	if !okLo {
		return nil, nil, false // nothing matches: a single stream finds that out
	}
	ranges, err := connectwise.SplitIDRange(lo, hi, l.opts.Streams*rangesPerStream)
	if err != nil {
		l.streamErr = err
		return nil, nil, false
	}
	return ranges, rs, true
}

// idBound reads the smallest (order "asc") or largest ("desc") source key
// matching cond with a one-record page.
func (l *loader[R]) idBound(ctx context.Context, cond, order string) (id int64, ok bool, err error) {
	q := connectwise.Query{Conditions: cond, PageSize: 1, OrderBy: l.tbl.SourceKeyField + " " + order}
	err = l.src.Pages(ctx, l.tbl.Endpoint, q, func(page connectwise.Page) error {
		return connectwise.SplitRecords(page.Body, func(rec []byte) error {
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(rec, &probe); err != nil {
				return err
			}
			n, perr := strconv.ParseInt(string(probe[l.tbl.SourceKeyField]), 10, 64)
			if perr != nil {
				return fmt.Errorf("the first record's %s is not an integer: %s", l.tbl.SourceKeyField, probe[l.tbl.SourceKeyField])
			}
			id, ok = n, true
			return errStopBound
		})
	})
	if errors.Is(err, errStopBound) {
		err = nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("finding the %s id bounds for parallel streams: %w", order, err)
	}
	return id, ok, nil
}

var errStopBound = errors.New("bound found")

// record decodes one source record and adds it to the batch.
func (l *loader[R]) record(ctx context.Context, rec []byte) error {
	var row R
	if err := l.tbl.Decode(rec, &row); err != nil {
		var fe *table.FieldError
		if !errors.As(err, &fe) {
			return fmt.Errorf("decoding a record: %w", err)
		}
		return l.reject(rec, fe)
	}
	key := l.tbl.Key(&row)
	var version int64
	if t, ok := l.tbl.Version(&row); ok {
		version = t.Unix()
		if t.After(l.maxSeen) {
			l.maxSeen = t
		}
	}
	if i, ok := l.index[key]; ok {
		// Duplicate in this batch: keep the later version.
		l.stats.Duplicates++
		if version < l.pending[i].version {
			return nil
		}
		l.outRows -= l.rowsFor(key, l.pending[i].class)
		l.pending[i] = entry[R]{row: row, class: l.classify(key, &row), version: version}
		l.outRows += l.rowsFor(key, l.pending[i].class)
		return nil
	}
	if c, ok := l.cur[key]; ok && c.Seen {
		// Duplicate of a record an earlier batch handled.
		l.stats.Duplicates++
		if version <= int64(c.SeenVersion) {
			return nil
		}
	}
	e := entry[R]{row: row, class: l.classify(key, &row), version: version}
	l.index[key] = len(l.pending)
	l.pending = append(l.pending, e)
	l.outRows += l.rowsFor(key, e.class)
	if l.outRows >= l.opts.BatchRows || len(l.pending) >= l.opts.BatchRows {
		return l.flush(ctx)
	}
	return nil
}

// classify compares row with its key's current version.
func (l *loader[R]) classify(key int64, row *R) class {
	c, ok := l.cur[key]
	switch {
	case !ok:
		return classNew
	case c.Hash == warehouse.ParseHash(l.tbl.SCD(row).RecordHash):
		return classUnchanged
	case l.oldHash != nil && c.Hash == warehouse.ParseHash(l.tbl.HashSubset(row, l.oldHash)):
		return classRebaseline
	}
	return classChanged
}

// rowsFor is how many rows a record of class c writes for key.
func (l *loader[R]) rowsFor(key int64, c class) int {
	n := int(l.cur[key].Others) // extra current versions get closed
	switch c {
	case classNew, classRebaseline:
		return n + 1
	case classChanged:
		return n + 2
	}
	return n
}

// reject records a record that did not decode.
func (l *loader[R]) reject(rec []byte, fe *table.FieldError) error {
	l.stats.Rejected++
	if key, err := strconv.ParseInt(fe.RecordID, 10, 64); err == nil {
		l.rejected[key] = true // the source still returns the key: a full sweep must not close it
	} else {
		l.noIDSeen = true
	}
	if len(l.stats.RejectErrors) < sampleKeys {
		l.stats.RejectErrors = append(l.stats.RejectErrors, fe.Error())
	}
	if !l.opts.DryRun {
		if l.rejects == nil {
			rf, err := openRejectFile(l.opts.RejectDir, l.opts.Tenant, l.tbl.Name, l.stats.RunID)
			if err != nil {
				return err
			}
			l.rejects = rf
		}
		if err := l.rejects.write(l.stats.RunID, l.tbl.Name, fe, rec); err != nil {
			return err
		}
	}
	if l.stats.Rejected > int64(l.opts.MaxRejects) {
		return fmt.Errorf("%d records rejected, more than --max-rejects %d; last: %v", l.stats.Rejected, l.opts.MaxRejects, fe)
	}
	return nil
}

// flush writes the pending batch: new keys get a current version; a
// changed key gets, in the same INSERT, its current version re-inserted
// closed and the new current version.
func (l *loader[R]) flush(ctx context.Context) error {
	if len(l.pending) == 0 {
		return nil
	}
	now := l.opts.Now().UTC().Truncate(time.Second)
	var fetch []int64
	for i := range l.pending {
		key := l.tbl.Key(&l.pending[i].row)
		if l.pending[i].class == classChanged || l.cur[key].Others > 0 {
			fetch = append(fetch, key)
		}
	}
	old := map[int64][]R{}
	if len(fetch) > 0 && !l.opts.DryRun {
		// The old rows may be in the INSERT still in flight.
		if err := l.waitInsert(); err != nil {
			return err
		}
		err := warehouse.FetchRows(ctx, l.eng, l.db, l.tbl, fetch, func(row *R) error {
			k := l.tbl.Key(row)
			old[k] = append(old[k], *row)
			return nil
		})
		if err != nil {
			return err
		}
	}
	out := make([]R, 0, l.outRows)
	next := make(map[int64]warehouse.CurrentVersion, len(l.pending))
	for i := range l.pending {
		e := &l.pending[i]
		key := l.tbl.Key(&e.row)
		c, exists := l.cur[key]
		if exists && c.Others > 0 && !l.opts.DryRun {
			var err error
			if out, err = l.closeExtras(out, key, c, old[key], now); err != nil {
				return err
			}
		}
		switch e.class {
		case classUnchanged:
			l.stats.Unchanged++
			u := l.cur[key]
			u.Seen, u.SeenVersion = true, uint32(e.version)
			l.cur[key] = u
			continue
		case classRebaseline:
			// Same version, new hash definition: rewrite it in place (same
			// key and start, later updated_at, created_at kept).
			l.stats.Rebaselined++
			scd := l.tbl.SCD(&e.row)
			scd.EffectiveStartDate = time.Unix(int64(c.Start), 0).UTC()
			scd.EffectiveEndDate = sql.Null[time.Time]{}
			scd.IsCurrent = true
			scd.CreatedAt = time.Unix(int64(c.CreatedAt), 0).UTC()
			scd.UpdatedAt = laterOf(now, time.Unix(int64(c.UpdatedAt)+1, 0).UTC())
			out = append(out, e.row)
			next[key] = warehouse.CurrentVersion{Start: c.Start, CreatedAt: c.CreatedAt, UpdatedAt: uint32(scd.UpdatedAt.Unix()), Hash: warehouse.ParseHash(scd.RecordHash),
				Seen: true, SeenVersion: uint32(e.version)}
			continue
		case classNew:
			l.stats.NewKeys++
			l.sample("new", key)
		case classChanged:
			l.stats.Changed++
			l.sample("changed", key)
		}
		start := l.runStart
		if t, ok := l.tbl.Version(&e.row); ok {
			start = t.UTC().Truncate(time.Second)
		}
		if exists && start.Unix() <= int64(c.Start) {
			// A new version must start after the one it closes: on the same
			// second or an earlier one (clock skew), it starts one second
			// after it.
			start = time.Unix(int64(c.Start)+1, 0).UTC()
		}
		if e.class == classChanged && !l.opts.DryRun {
			prev, ok := findVersion(l.tbl, old[key], int64(c.Start))
			if !ok {
				return fmt.Errorf("key %d: its current version (start %s) is gone from %s.%s: another writer changed the table during the run; run again",
					key, time.Unix(int64(c.Start), 0).UTC().Format(time.RFC3339), l.db, l.tbl.Name)
			}
			out = append(out, closeVersion(l.tbl, prev, start, now))
		}
		scd := l.tbl.SCD(&e.row)
		scd.EffectiveStartDate = start
		scd.EffectiveEndDate = sql.Null[time.Time]{}
		scd.IsCurrent = true
		scd.CreatedAt, scd.UpdatedAt = now, now
		out = append(out, e.row)
		next[key] = warehouse.CurrentVersion{Start: uint32(start.Unix()), CreatedAt: uint32(now.Unix()), UpdatedAt: uint32(now.Unix()), Hash: warehouse.ParseHash(scd.RecordHash),
			Seen: true, SeenVersion: uint32(e.version)}
	}
	if !l.opts.DryRun && len(out) > 0 {
		// One INSERT runs while the next batch is read and mapped: the
		// engine and the loader use both cores. Each INSERT is still one
		// part of its own, so crash safety is unchanged; the run is
		// recorded only after the last one succeeded.
		if err := l.waitInsert(); err != nil {
			return err
		}
		done := make(chan error, 1)
		go func(rows []R) { done <- warehouse.Insert(ctx, l.eng, l.db, l.tbl, rows) }(out)
		l.inflight, l.inflightRows = done, int64(len(out))
	}
	for k, v := range next {
		l.cur[k] = v
	}
	l.pending = l.pending[:0]
	clear(l.index)
	l.outRows = 0
	if l.obs != nil {
		l.obs.Batch(&l.stats)
	}
	return nil
}

// closeExtras closes the current versions of key other than the latest
// (c.Start), which an earlier writer may have left, at c.Start.
func (l *loader[R]) closeExtras(out []R, key int64, c warehouse.CurrentVersion, rows []R, now time.Time) ([]R, error) {
	for _, r := range rows {
		s := l.tbl.SCD(&r)
		if s.EffectiveStartDate.Unix() >= int64(c.Start) {
			continue
		}
		out = append(out, closeVersion(l.tbl, r, time.Unix(int64(c.Start), 0).UTC(), now))
		l.stats.Repaired++
	}
	c.Others = 0
	l.cur[key] = c
	return out, nil
}

// findVersion returns the row of rows starting at start (Unix seconds).
func findVersion[R any](tbl *table.Table[R], rows []R, start int64) (R, bool) {
	for _, r := range rows {
		if tbl.SCD(&r).EffectiveStartDate.Unix() == start {
			return r, true
		}
	}
	var zero R
	return zero, false
}

// closeVersion returns row closed at end: not current, effective_end_date
// end, created_at kept, updated_at moved past its previous value so that
// ReplacingMergeTree keeps this rewrite.
func closeVersion[R any](tbl *table.Table[R], row R, end, now time.Time) R {
	s := tbl.SCD(&row)
	if !end.After(s.EffectiveStartDate) {
		end = s.EffectiveStartDate.Add(time.Second)
	}
	s.EffectiveEndDate = sql.Null[time.Time]{V: end, Valid: true}
	s.IsCurrent = false
	s.UpdatedAt = laterOf(now, s.UpdatedAt.Add(time.Second))
	return row
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// closeMissing closes, after a complete full sweep, the current version of
// every key the sweep did not return, at the run's start.
func (l *loader[R]) closeMissing(ctx context.Context) error {
	var missing []int64
	for k, c := range l.cur {
		if !c.Seen && !l.rejected[k] {
			missing = append(missing, k)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	for _, k := range missing {
		l.sample("closed", k)
	}
	if l.opts.DryRun {
		l.stats.Closed = int64(len(missing))
		return nil
	}
	for len(missing) > 0 {
		chunk := missing[:min(len(missing), l.opts.BatchRows)]
		missing = missing[len(chunk):]
		now := l.opts.Now().UTC().Truncate(time.Second)
		var out []R
		closed := map[int64]bool{}
		err := warehouse.FetchRows(ctx, l.eng, l.db, l.tbl, chunk, func(row *R) error {
			closed[l.tbl.Key(row)] = true
			out = append(out, closeVersion(l.tbl, *row, l.runStart, now))
			return nil
		})
		if err != nil {
			return err
		}
		if err := warehouse.Insert(ctx, l.eng, l.db, l.tbl, out); err != nil {
			return err
		}
		l.stats.RowsWritten += int64(len(out))
		l.stats.Closed += int64(len(closed))
		for k := range closed {
			delete(l.cur, k)
		}
		if l.obs != nil {
			l.obs.Batch(&l.stats)
		}
	}
	return nil
}

// nextCursor is the cursor the run records: the latest version seen,
// bounded by the run start less cursorMargin, when the run covered every
// record updated since the previous cursor; the previous cursor otherwise
// (a --limit run, a --since run starting after it, a run with rejects,
// which are then read again next time).
func (l *loader[R]) nextCursor() time.Time {
	if l.tbl.CursorField == "" || l.tbl.CursorColumn != l.tbl.VersionColumn {
		return time.Time{} // the cursor value of a row is not known
	}
	covered := !l.limited && l.stats.Rejected == 0
	if l.stats.Mode == ModeSince && (l.prev.IsZero() || l.opts.Since.After(l.prev)) {
		covered = false // records between the previous cursor and --since were not read
	}
	if !covered || l.maxSeen.IsZero() {
		return l.prev
	}
	return minTime(l.maxSeen, l.runStart.Add(-cursorMargin)).UTC()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (l *loader[R]) sample(what string, key int64) {
	if s := l.stats.Samples[what]; len(s) < sampleKeys {
		l.stats.Samples[what] = append(s, key)
	}
}
