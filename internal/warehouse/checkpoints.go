package warehouse

import (
	"context"
	"fmt"
	"time"

	"github.com/canonic-data/canonic/internal/rowbinary"
)

// CheckpointsTable is the state table of resumable sweeps, one per tenant
// database: a row each time a sweep of one table stopped before its end
// (a Lambda deadline, a signal) and once more when its run finished. The
// latest row of a table says whether a run is open and where it stands.
const CheckpointsTable = "_canonic_checkpoints"

const checkpointsDDL = `CREATE TABLE IF NOT EXISTS {db}.` + "`" + CheckpointsTable + "`" + ` (
    table_name String,
    run_id String,
    seq UInt64,
    open UInt8,
    mode String,
    from_time DateTime,
    started_at DateTime,
    last_id Int64,
    max_seen DateTime,
    no_id_seen UInt8,
    written_at DateTime,
    records_read UInt64,
    new_keys UInt64,
    changed UInt64,
    unchanged UInt64,
    closed UInt64,
    rejected UInt64,
    rows_written UInt64
) ENGINE = MergeTree ORDER BY (table_name, seq)`

var checkpointColumns = []string{"table_name", "run_id", "seq", "open", "mode", "from_time", "started_at", "last_id",
	"max_seen", "no_id_seen", "written_at", "records_read", "new_keys", "changed", "unchanged", "closed", "rejected", "rows_written"}

// Checkpoint is where a sweep over the source's forward-only id order
// stopped: every source record with a key up to LastID that the sweep's
// condition selects is written. A run resumes it when it would sweep with
// the same mode and lower bound.
type Checkpoint struct {
	Table string
	RunID string // the run the sweep belongs to; the resumed run goes on under it
	// Seq orders a table's rows (Unix nanoseconds when written).
	Seq uint64
	// Open is true while the run is unfinished; a finished run writes a
	// last row with Open false.
	Open      bool
	Mode      string
	From      time.Time // the condition's lower bound; zero when none
	StartedAt time.Time // the run's start (version start and close time)
	LastID    int64
	MaxSeen   time.Time // latest version timestamp read so far, zero when none
	NoIDSeen  bool      // a reject without a key: a full sweep cannot close keys
	WrittenAt time.Time
	// Totals so far, over every invocation of the run.
	RecordsRead, NewKeys, Changed, Unchanged, Closed, Rejected, RowsWritten uint64
}

// EnsureCheckpointsTable creates db's CheckpointsTable if missing.
func EnsureCheckpointsTable(ctx context.Context, e Engine, db string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	return e.Exec(ctx, replaceDB(checkpointsDDL, db))
}

// SaveCheckpoint appends cp (its Seq set from WrittenAt when zero).
func SaveCheckpoint(ctx context.Context, e Engine, db string, cp Checkpoint) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	if cp.Seq == 0 {
		cp.Seq = uint64(cp.WrittenAt.UnixNano())
	}
	if err := e.Insert(ctx, db, CheckpointsTable, checkpointColumns, checkpointRows{cp}); err != nil {
		return fmt.Errorf("recording the checkpoint of run %s in %s.%s: %w", cp.RunID, db, CheckpointsTable, err)
	}
	return nil
}

// OpenCheckpoint returns the checkpoint of table's unfinished run, if its
// latest row is open; ok is false otherwise (or when there is no table).
func OpenCheckpoint(ctx context.Context, e Engine, db, table string) (cp Checkpoint, ok bool, err error) {
	exists, err := TableExists(ctx, e, db, CheckpointsTable)
	if err != nil || !exists {
		return cp, false, err
	}
	q := "SELECT table_name, run_id, seq, open, mode, from_time, started_at, last_id, max_seen, no_id_seen, written_at, " +
		"records_read, new_keys, changed, unchanged, closed, rejected, rows_written FROM " + qualified(db, CheckpointsTable) +
		" WHERE table_name = " + QuoteString(table) + " ORDER BY seq DESC LIMIT 1"
	var r rowbinary.Reader
	err = e.Query(ctx, q, func(src []byte) (int, error) {
		r.Reset(src)
		cp.Table, cp.RunID = r.String(), r.String()
		cp.Seq = uint64(r.Int64())
		cp.Open = r.UInt8() == 1
		cp.Mode = r.String()
		cp.From, cp.StartedAt = zeroEpoch(r.DateTime()), r.DateTime()
		cp.LastID = r.Int64()
		cp.MaxSeen = zeroEpoch(r.DateTime())
		cp.NoIDSeen = r.UInt8() == 1
		cp.WrittenAt = r.DateTime()
		for _, n := range cp.totals() {
			*n = uint64(r.Int64())
		}
		return r.Offset(), r.Err()
	})
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("reading the checkpoint of %s from %s.%s: %w", table, db, CheckpointsTable, err)
	}
	return cp, cp.Open, nil
}

// zeroEpoch maps the Unix epoch (how a zero time is stored) back to zero.
func zeroEpoch(t time.Time) time.Time {
	if t.Unix() == 0 {
		return time.Time{}
	}
	return t
}

func epochIfZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t
}

func (cp *Checkpoint) totals() []*uint64 {
	return []*uint64{&cp.RecordsRead, &cp.NewKeys, &cp.Changed, &cp.Unchanged, &cp.Closed, &cp.Rejected, &cp.RowsWritten}
}

func flag(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// checkpointRows encodes one Checkpoint for Engine.Insert.
type checkpointRows struct{ cp Checkpoint }

func (checkpointRows) Len() int { return 1 }

func (x checkpointRows) AppendRowBinary(dst []byte, _ int) []byte {
	cp := x.cp
	dst = rowbinary.AppendString(dst, cp.Table)
	dst = rowbinary.AppendString(dst, cp.RunID)
	dst = rowbinary.AppendInt64(dst, int64(cp.Seq))
	dst = rowbinary.AppendUInt8(dst, flag(cp.Open))
	dst = rowbinary.AppendString(dst, cp.Mode)
	dst = rowbinary.AppendDateTime(dst, epochIfZero(cp.From))
	dst = rowbinary.AppendDateTime(dst, cp.StartedAt)
	dst = rowbinary.AppendInt64(dst, cp.LastID)
	dst = rowbinary.AppendDateTime(dst, epochIfZero(cp.MaxSeen))
	dst = rowbinary.AppendUInt8(dst, flag(cp.NoIDSeen))
	dst = rowbinary.AppendDateTime(dst, cp.WrittenAt)
	for _, n := range cp.totals() {
		dst = rowbinary.AppendInt64(dst, int64(*n))
	}
	return dst
}
