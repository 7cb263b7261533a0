package warehouse

import (
	"context"
	"fmt"
	"strconv"

	"github.com/canonic-data/canonic/internal/rowbinary"
)

// SweepKeysTable is the state table in which a sweep that may close keys
// (--full) records every key it saw, per run. Closing the keys the sweep
// did not return is then an anti-join in ClickHouse, so a loader holds no
// per-key state however large the table, and a sweep spread over several
// processes (a resumed run) closes by its run id at the end. A run's keys
// are one partition, dropped once the run has closed its keys.
const SweepKeysTable = "_canonic_sweep_keys"

const sweepKeysDDL = `CREATE TABLE IF NOT EXISTS {db}.` + "`" + SweepKeysTable + "`" + ` (
    run_id String,
    table_name String,
    key Int64
) ENGINE = MergeTree PARTITION BY run_id ORDER BY (table_name, key)`

// EnsureSweepKeysTable creates db's SweepKeysTable if missing.
func EnsureSweepKeysTable(ctx context.Context, e Engine, db string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	return e.Exec(ctx, replaceDB(sweepKeysDDL, db))
}

// RecordSweepKeys records keys as seen by run runID of table.
func RecordSweepKeys(ctx context.Context, e Engine, db, table, runID string, keys []int64) error {
	if len(keys) == 0 {
		return nil
	}
	if err := ValidIdent(db); err != nil {
		return err
	}
	return e.Insert(ctx, db, SweepKeysTable, []string{"run_id", "table_name", "key"}, sweepRows{run: runID, table: table, keys: keys})
}

// MissingKeys calls fn with the keys of db.tbl that have a current version
// but that run runID did not record, in ascending order, at most limit
// keys a call. fn may use the engine: each chunk is read by a query of
// its own. With global (db.tbl is a Distributed table), the recorded keys
// are read once on the connected node, which holds them, and sent to
// every shard (GLOBAL NOT IN); a plain NOT IN would read each shard's own,
// empty, SweepKeysTable.
func MissingKeys(ctx context.Context, e Engine, db, tbl, keyColumn, runID string, limit int, global bool, fn func(keys []int64) error) error {
	for _, n := range []string{db, tbl, keyColumn} {
		if err := ValidIdent(n); err != nil {
			return err
		}
	}
	key := QuoteIdent(keyColumn)
	seen := "SELECT key FROM " + qualified(db, SweepKeysTable) + " WHERE run_id = " + QuoteString(runID) +
		" AND table_name = " + QuoteString(tbl)
	after := int64(-1 << 63)
	first := true
	for {
		q := "SELECT DISTINCT toInt64(" + key + ") AS k FROM " + qualified(db, tbl) + " FINAL WHERE is_current AND " +
			key + notIn(global) + seen + ")"
		if !first {
			q += " AND " + key + " > " + strconv.FormatInt(after, 10)
		}
		q += " ORDER BY k LIMIT " + strconv.Itoa(limit)
		var chunk []int64
		var r rowbinary.Reader
		err := e.Query(ctx, q, func(src []byte) (int, error) {
			r.Reset(src)
			chunk = append(chunk, r.Int64())
			return r.Offset(), r.Err()
		})
		if err != nil {
			return fmt.Errorf("finding keys of %s.%s the sweep did not return: %w", db, tbl, err)
		}
		if len(chunk) == 0 {
			return nil
		}
		if err := fn(chunk); err != nil {
			return err
		}
		if len(chunk) < limit {
			return nil
		}
		after, first = chunk[len(chunk)-1], false
	}
}

// CountMissingKeys returns how many keys of db.tbl have a current version
// (current) and how many of them run runID did not record (missing): what
// a --full sweep would close, before it closes anything.
//
// global is MissingKeys's: db.tbl is a Distributed table.
func CountMissingKeys(ctx context.Context, e Engine, db, tbl, keyColumn, runID string, global bool) (missing, current int64, err error) {
	for _, n := range []string{db, tbl, keyColumn} {
		if err := ValidIdent(n); err != nil {
			return 0, 0, err
		}
	}
	key := QuoteIdent(keyColumn)
	seen := "SELECT key FROM " + qualified(db, SweepKeysTable) + " WHERE run_id = " + QuoteString(runID) +
		" AND table_name = " + QuoteString(tbl)
	count := func(where string) (int64, error) {
		var n int64
		var r rowbinary.Reader
		q := "SELECT toInt64(count()) FROM (SELECT DISTINCT " + key + " FROM " + qualified(db, tbl) + " FINAL WHERE is_current" + where + ")"
		err := e.Query(ctx, q, func(src []byte) (int, error) {
			r.Reset(src)
			n = r.Int64()
			return r.Offset(), r.Err()
		})
		return n, err
	}
	if current, err = count(""); err == nil {
		missing, err = count(" AND " + key + notIn(global) + seen + ")")
	}
	if err != nil {
		return 0, 0, fmt.Errorf("counting keys of %s.%s the sweep did not return: %w", db, tbl, err)
	}
	return missing, current, nil
}

// notIn is " NOT IN (", or " GLOBAL NOT IN (" for a Distributed table.
func notIn(global bool) string {
	if global {
		return " GLOBAL NOT IN ("
	}
	return " NOT IN ("
}

// DropSweepKeys removes what run runID recorded.
func DropSweepKeys(ctx context.Context, e Engine, db, runID string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	return e.Exec(ctx, "ALTER TABLE "+qualified(db, SweepKeysTable)+" DROP PARTITION "+QuoteString(runID))
}

// CurrentKeys calls fn with every key of db.tbl that has a current
// version, in no particular order (for a dry run, which records nothing).
func CurrentKeys(ctx context.Context, e Engine, db, tbl, keyColumn string, fn func(key int64)) error {
	for _, n := range []string{db, tbl, keyColumn} {
		if err := ValidIdent(n); err != nil {
			return err
		}
	}
	var r rowbinary.Reader
	return e.Query(ctx, "SELECT DISTINCT toInt64("+QuoteIdent(keyColumn)+") FROM "+qualified(db, tbl)+" FINAL WHERE is_current",
		func(src []byte) (int, error) {
			r.Reset(src)
			fn(r.Int64())
			return r.Offset(), r.Err()
		})
}

type sweepRows struct {
	run, table string
	keys       []int64
}

func (x sweepRows) Len() int { return len(x.keys) }

func (x sweepRows) AppendRowBinary(dst []byte, i int) []byte {
	dst = rowbinary.AppendString(dst, x.run)
	dst = rowbinary.AppendString(dst, x.table)
	return rowbinary.AppendInt64(dst, x.keys[i])
}
