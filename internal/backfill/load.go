package backfill

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	Deletes    bool      // sweep only the keys and close those the source no longer returns; load nothing
	DryRun     bool      // write nothing
	PageSize   int       // records per source page, 1..1000
	MaxRejects int       // fail once more records than this are rejected
	BatchRows  int       // rows per INSERT
	BatchBytes int       // a batch is also written once its records hold this many bytes of source JSON; 0 = DefaultBatchBytes
	// MaxCloseFraction is the largest share of current keys a --full sweep
	// may close (see closeVerdict); 1 allows all, 0 selects
	// DefaultMaxCloseFraction, a negative value allows none.
	MaxCloseFraction float64
	RejectDir        string // rejects/ is created under it
	CountTotal       bool   // ask the source for the record count first (for a progress bar)
	Migrate          bool   // apply pending generated migrations before loading
	AllFields        bool   // fetch whole records instead of only the mapped fields
	// Streams > 1 fetches id ranges in that many parallel forward-only
	// streams (the source must be a RangeSource; ignored with Limit).
	Streams int
	Now     func() time.Time // the clock (time.Now when nil)
	// Deadline, when set, bounds the sweep: before it, less a margin
	// measured as it goes (see sweepBudget), the sweep stops fetching,
	// writes what it mapped and records a checkpoint (Stats.Cut).
	Deadline time.Time
	// Stop, once closed, stops the sweep the same way (the CLI closes it
	// on SIGTERM or SIGINT).
	Stop <-chan struct{}
	// Resume goes on from the open checkpoint of a run that swept in the
	// same mode from the same lower bound (see resume.go).
	Resume bool
	// Cluster, when set, loads into a ClickHouse cluster (cluster.go);
	// the engine is connected to one of its nodes.
	Cluster *ClusterTarget
}

// Run modes, recorded in the runs table.
const (
	ModeInitial     = "initial"     // no previous cursor: every record
	ModeIncremental = "incremental" // records updated after the last run's cursor
	ModeSince       = "since"       // records updated after --since
	ModeFull        = "full"        // every record, closing the missing keys
	ModeRebaseline  = "rebaseline"  // every record: the hash definition changed since the last run
)

// Stats counts what a load did.
type Stats struct {
	RunID       string
	Mode        string
	From        time.Time // the condition's lower bound, zero when none
	RecordsRead int64     // source records read (rejects and duplicates included)
	NewKeys     int64     // keys written for the first time
	Changed     int64     // keys whose current version was replaced
	Unchanged   int64     // keys whose hash matched their current version
	Closed      int64     // keys closed because a full or --deletes sweep no longer returned them
	// ChildRequests counts requests to child endpoints (child columns).
	ChildRequests int64
	Rebaselined   int64     // current versions rewritten in place with a new hash definition (no new version)
	Migrations    []string  // migrations applied before loading
	Streams       int       // parallel id-range streams the sweep used
	Rejected      int64     // records that did not decode (see RejectFile)
	Duplicates    int64     // records collapsed into a later version of the same key
	Repaired      int64     // extra current versions closed (left by an earlier writer)
	RowsWritten   int64     // rows inserted (0 on a dry run)
	Cursor        time.Time // cursor recorded for the next run, zero when none
	RejectFile    string    // path of the reject file, "" when none
	// RejectErrors holds the first few reject messages.
	RejectErrors []string
	Elapsed      time.Duration
	// Samples holds up to sampleKeys keys per outcome ("new", "changed",
	// "closed"), for the dry-run report.
	Samples map[string][]int64
	// Complete is false when the sweep stopped early (--limit, a cut) or
	// could not know every key (a reject without an id).
	Complete bool
	// Cut is true when the sweep stopped at a checkpoint (Options.Deadline
	// or Stop): the run is unfinished and the next one resumes it.
	Cut bool
	// Checkpoint is the source id a cut sweep wrote everything up to.
	Checkpoint int64
	// ResumedFrom is the checkpoint this run resumed from (0 when none).
	ResumedFrom int64
	// InvalidUTF8 counts, per source path the mapping reads, the values
	// whose invalid UTF-8 was replaced with U+FFFD.
	InvalidUTF8 map[string]int64
}

const sampleKeys = 10

// Observer is told about progress; the CLI draws a bar or logs.
type Observer interface {
	// Started reports the sweep's start: s holds the run id (a resumed
	// run's) and mode; total is the number of records it expects (-1 when
	// unknown).
	Started(s *Stats, total int)
	// Records reports records read so far.
	Records(read int64)
	// Batch reports progress after a batch: once an INSERT of it has
	// landed (s.RowsWritten counts it), or when it wrote nothing (a dry
	// run, or only unchanged records).
	Batch(s *Stats)
}

// loader holds one load's state. Nothing in it grows with the number of
// keys in the table: a batch's current versions are read when the batch
// is planned, and the keys a --full sweep saw are recorded in ClickHouse
// (see close.go).
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
	prev     time.Time // cursor of the last succeeded run, zero when none
	maxSeen  time.Time // latest version timestamp read
	limited  bool      // the sweep stopped at --limit
	noIDSeen bool      // a reject had no usable key: the sweep cannot prove a key is gone
	rejects  *rejectFile

	// emptyAtStart is true when the table had no rows when the run
	// began: a batch then reads no current versions (only repeats of keys
	// this run wrote could have one).
	emptyAtStart bool
	// prevHashColumns, when not nil, holds the hashed columns of the
	// definition the current versions were hashed with (it differs from
	// the table's): this run re-baselines.
	prevHashColumns map[string]bool
	// recordDef says to record the table's hash definition after a
	// complete, successful run.
	recordDef bool

	decoder decoder[R]
	batch   batch[R]
	writer  writer[R]
	swept   sweptKeys

	// resumed is the checkpoint this run goes on from (nil when none).
	resumed *warehouse.Checkpoint
	// budget bounds a sweep with a deadline (nil without one).
	budget *sweepBudget
	// evidence is what the sweep shows about having seen the whole
	// source, for a --full run's close (see closeVerdict).
	evidence sweepEvidence
	utf8     *utf8Replacements
	// nodes are the cluster's nodes, open while prepare runs (cluster.go).
	nodes nodeSet
	// createOnStart says prepare left a new table to create as the sweep
	// starts (setup.go); setup is that creation once started.
	createOnStart bool
	setup         *setup
}

// Load runs one SCD Type 2 load of tbl from src into eng (see the package
// doc for the rules). On error the returned Stats say how far it got.
func Load[R any](ctx context.Context, tbl *table.Table[R], eng warehouse.Engine, src Source, opts Options, obs Observer) (Stats, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchBytes == 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	switch {
	case opts.MaxCloseFraction == 0:
		opts.MaxCloseFraction = DefaultMaxCloseFraction
	case opts.MaxCloseFraction < 0:
		opts.MaxCloseFraction = 0
	}
	began := opts.Now()
	l := &loader[R]{
		tbl: tbl, eng: eng, src: src, opts: opts, obs: obs, db: opts.Database,
		began: began, runStart: began.UTC().Truncate(time.Second),
	}
	l.batch.init(opts.BatchRows)
	l.writer = writer[R]{eng: eng, db: opts.Database, tbl: tbl}
	l.stats.RunID = newRunID(l.runStart)
	l.stats.Samples = map[string][]int64{}
	l.utf8 = newUTF8Replacements(tbl.SourceFields)
	l.stats.InvalidUTF8 = l.utf8.counts
	l.decoder = decoder[R]{tbl: tbl, utf8: l.utf8}
	l.evidence = sweepEvidence{CountBefore: -1, CountAfter: -1, MaxCloseFraction: opts.MaxCloseFraction}
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

// run is the load: prepare the table, pick the mode, sweep the source
// through the batches, close what a full sweep did not see, record the run.
func (l *loader[R]) run(ctx context.Context) (err error) {
	defer func() {
		// Never leave an INSERT running behind the caller's back.
		if werr := l.wait(); err == nil {
			err = werr
		}
		// Nor the statements creating the table. Their failure came
		// first, whatever the sweep ran into after it.
		if serr := l.waitSetup(); serr != nil {
			err = serr
		}
		if err != nil {
			l.writer.abort()
		} else if cerr := l.writer.commit(); cerr != nil {
			err = cerr
		}
	}()
	if err := l.prepare(ctx); err != nil {
		return err
	}
	cond, err := l.condition(ctx)
	if err != nil {
		return err
	}
	if cond, err = l.resume(ctx, cond); err != nil {
		return err
	}
	l.startSetup(ctx)
	if err := l.sweep(ctx, cond); err != nil {
		return err
	}
	if l.stats.Cut {
		return l.saveCheckpoint(ctx)
	}
	if (l.opts.Full || l.opts.Deletes) && l.stats.Complete {
		l.evidence.CountAfter = l.count(ctx, cond)
		if err := l.closeMissing(ctx); err != nil {
			return err
		}
	}
	l.stats.Cursor = l.nextCursor()
	if l.opts.DryRun {
		return nil
	}
	if l.recordDef && l.stats.Complete && l.stats.Rejected == 0 && (l.opts.Since.IsZero() || l.prevHashColumns == nil) && !l.opts.Deletes {
		if err := warehouse.RecordHashDefinition(ctx, l.eng, l.db, l.tbl.Name, l.tbl.HashDefinition, l.tbl.HashColumns, l.opts.Now().UTC()); err != nil {
			return err
		}
	}
	total := l.checkpoint(false) // the totals over every chunk of the run
	err = warehouse.RecordRun(ctx, l.eng, l.db, warehouse.Run{
		Table: l.tbl.Name, RunID: l.stats.RunID, StartedAt: l.runStart, FinishedAt: l.opts.Now().UTC(),
		Mode: l.stats.Mode, Status: warehouse.RunSucceeded, Cursor: l.stats.Cursor,
		RecordsRead: total.RecordsRead, NewKeys: total.NewKeys, Changed: total.Changed,
		Unchanged: total.Unchanged, Closed: total.Closed, Rejected: total.Rejected,
		RowsWritten: total.RowsWritten,
	})
	if err != nil {
		return err
	}
	return l.finishCheckpoint(ctx)
}

// wait waits for the INSERT in flight, if any, counts its rows and
// reports progress once they are in.
func (l *loader[R]) wait() error {
	busy := l.writer.inflight != nil
	n, err := l.writer.wait()
	l.stats.RowsWritten += n
	if busy && err == nil && l.obs != nil {
		l.obs.Batch(&l.stats)
	}
	if l.budget != nil {
		l.budget.wrote(l.writer.took)
	}
	return err
}

func (l *loader[R]) sample(what string, key int64) {
	if s := l.stats.Samples[what]; len(s) < sampleKeys {
		l.stats.Samples[what] = append(s, key)
	}
}
