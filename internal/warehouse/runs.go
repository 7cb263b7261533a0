package warehouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/canonic-data/canonic/internal/rowbinary"
)

// RunsTable is the state table each tenant database holds: one row per
// finished load of one table.
const RunsTable = "_canonic_runs"

// runsDDL creates RunsTable; {db} is replaced by the quoted database. The
// syntax works on ClickHouse 18.16 and on chDB.
const runsDDL = `CREATE TABLE IF NOT EXISTS {db}.` + "`" + RunsTable + "`" + ` (
    table_name String,
    run_id String,
    started_at DateTime,
    finished_at DateTime,
    mode String,
    status String,
    cursor Nullable(DateTime),
    records_read UInt64,
    new_keys UInt64,
    changed UInt64,
    unchanged UInt64,
    closed UInt64,
    rejected UInt64,
    rows_written UInt64
) ENGINE = MergeTree ORDER BY (table_name, started_at)`

// runsColumns are RunsTable's columns in the order Run encodes them.
var runsColumns = []string{"table_name", "run_id", "started_at", "finished_at", "mode", "status", "cursor",
	"records_read", "new_keys", "changed", "unchanged", "closed", "rejected", "rows_written"}

// Run statuses.
const (
	RunSucceeded = "succeeded"
)

// Run is one row of RunsTable.
type Run struct {
	Table      string    // generated table name, "tickets"
	RunID      string    // unique per run
	StartedAt  time.Time // when the run started
	FinishedAt time.Time // when its last write committed
	Mode       string    // "full", "incremental", "since", "initial", "limit"
	Status     string    // RunSucceeded
	// Cursor is where the next incremental run resumes (records updated
	// after it); zero when the run gives no cursor.
	Cursor time.Time

	RecordsRead, NewKeys, Changed, Unchanged, Closed, Rejected, RowsWritten uint64
}

// EnsureRunsTable creates db's RunsTable if missing.
func EnsureRunsTable(ctx context.Context, e Engine, db string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	return e.Exec(ctx, replaceDB(runsDDL, db))
}

func replaceDB(s, db string) string {
	return strings.Replace(s, "{db}", QuoteIdent(db), 1)
}

// RecordRun appends r to db's RunsTable.
func RecordRun(ctx context.Context, e Engine, db string, r Run) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	if err := e.Insert(ctx, db, RunsTable, runsColumns, runRows{r}); err != nil {
		return fmt.Errorf("recording the run in %s.%s: %w", db, RunsTable, err)
	}
	return nil
}

// LastCursor returns the cursor of the latest succeeded run of table in
// db that recorded one; ok is false when there is none (or no RunsTable).
func LastCursor(ctx context.Context, e Engine, db, table string) (cursor time.Time, ok bool, err error) {
	exists, err := TableExists(ctx, e, db, RunsTable)
	if err != nil || !exists {
		return time.Time{}, false, err
	}
	q := "SELECT assumeNotNull(cursor) FROM " + qualified(db, RunsTable) +
		" WHERE table_name = " + QuoteString(table) + " AND status = " + QuoteString(RunSucceeded) +
		" AND cursor IS NOT NULL ORDER BY finished_at DESC, started_at DESC, cursor DESC LIMIT 1"
	var r rowbinary.Reader
	err = e.Query(ctx, q, func(src []byte) (int, error) {
		r.Reset(src)
		cursor, ok = r.DateTime(), true
		return r.Offset(), r.Err()
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading the last run of %s from %s.%s: %w", table, db, RunsTable, err)
	}
	return cursor, ok, nil
}

// runRows encodes one Run for Engine.Insert.
type runRows struct{ r Run }

func (runRows) Len() int { return 1 }

func (x runRows) AppendRowBinary(dst []byte, _ int) []byte {
	r := x.r
	for _, s := range []string{r.Table, r.RunID} {
		dst = rowbinary.AppendString(dst, s)
	}
	dst = rowbinary.AppendDateTime(dst, r.StartedAt)
	dst = rowbinary.AppendDateTime(dst, r.FinishedAt)
	dst = rowbinary.AppendString(dst, r.Mode)
	dst = rowbinary.AppendString(dst, r.Status)
	dst = rowbinary.AppendNull(dst, r.Cursor.IsZero())
	if !r.Cursor.IsZero() {
		dst = rowbinary.AppendDateTime(dst, r.Cursor)
	}
	for _, n := range x.counts() {
		dst = rowbinary.AppendInt64(dst, int64(n))
	}
	return dst
}

func (x runRows) counts() []uint64 {
	r := x.r
	return []uint64{r.RecordsRead, r.NewKeys, r.Changed, r.Unchanged, r.Closed, r.Rejected, r.RowsWritten}
}
