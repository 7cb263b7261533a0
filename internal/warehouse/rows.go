package warehouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/table"
)

// fetchChunk bounds the keys of one FetchRows query, keeping its text well
// under ClickHouse's max_query_size (256 KiB by default).
const fetchChunk = 5000

// EnsureDatabase creates database db if it does not exist.
func EnsureDatabase(ctx context.Context, e Engine, db string) error {
	if err := ValidDatabase(db); err != nil {
		return err
	}
	return e.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+QuoteIdent(db))
}

// TableExists reports whether db.tbl exists.
func TableExists(ctx context.Context, e Engine, db, tbl string) (bool, error) {
	if err := ValidIdent(db); err != nil {
		return false, err
	}
	if err := ValidIdent(tbl); err != nil {
		return false, err
	}
	var n uint64
	var r rowbinary.Reader
	err := e.Query(ctx, "SELECT toUInt64(count()) FROM system.tables WHERE database = "+QuoteString(db)+" AND name = "+QuoteString(tbl),
		func(src []byte) (int, error) {
			r.Reset(src)
			n = uint64(r.Int64())
			return r.Offset(), r.Err()
		})
	return n > 0, err
}

// CurrentOf reads the current versions of the given keys of db.tbl: per
// key its effective_start_date, record_hash, created_at and updated_at,
// and how many further current versions an earlier writer left (Start is
// then the latest). Keys with no current version are absent.
//
// It reads every version row of the keys through the primary key, without
// FINAL, and does ReplacingMergeTree's work itself: of the rows of one
// (key, effective_start_date), the one with the latest updated_at counts
// (measured: a --full rerun's lookups take a fraction of FINAL's time, see
// internal/bench BenchmarkEndToEnd). A batch's lookup costs the same at
// any table size.
func CurrentOf(ctx context.Context, e Engine, db, tbl, keyColumn string, keys []int64) (map[int64]scd.Current, error) {
	for _, n := range []string{db, tbl, keyColumn} {
		if err := ValidIdent(n); err != nil {
			return nil, err
		}
	}
	type stored struct {
		scd.Current
		isCurrent bool
	}
	latest := make(map[versionKey]stored, len(keys))
	head := "SELECT toInt64(" + QuoteIdent(keyColumn) + "), toDateTime(effective_start_date), record_hash, " +
		"toDateTime(created_at), toDateTime(updated_at), toUInt8(is_current) FROM " + qualified(db, tbl) + " WHERE " +
		QuoteIdent(keyColumn) + " IN ("
	var r rowbinary.Reader
	err := forKeyChunks(keys, head, func(q string) error {
		return e.Query(ctx, q, func(src []byte) (int, error) {
			r.Reset(src)
			var v stored
			key := r.Int64()
			v.Start = r.DateTime().Unix()
			v.Hash = scd.ParseHash(r.String())
			v.CreatedAt = r.DateTime().Unix()
			v.UpdatedAt = r.DateTime().Unix()
			v.isCurrent = r.UInt8() != 0
			if err := r.Err(); err != nil {
				return 0, err
			}
			k := versionKey{key, v.Start}
			if old, ok := latest[k]; !ok || supersedes(v.UpdatedAt, old.UpdatedAt) {
				latest[k] = v
			}
			return r.Offset(), nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading current versions of %s.%s: %w", db, tbl, err)
	}
	cur := make(map[int64]scd.Current, len(keys))
	for k, v := range latest {
		if !v.isCurrent {
			continue
		}
		c := v.Current
		if old, dup := cur[k.key]; dup {
			others := old.Others + 1
			if old.Start > c.Start {
				c = old
			}
			c.Others = others
		}
		cur[k.key] = c
	}
	return cur, nil
}

// versionKey identifies a version: ReplacingMergeTree(updated_at)
// ordered by (key, effective_start_date) keeps one row per versionKey.
type versionKey struct {
	key, start int64
}

// supersedes is the rule CurrentOf and FetchRows collapse rows of one
// versionKey by, as ReplacingMergeTree does: the latest updated_at wins.
// (Of equal updated_at it keeps the last inserted row, which a query does
// not order; rewrites always move updated_at forward, so this does not
// arise.)
func supersedes(updatedAt, previous int64) bool {
	return updatedAt > previous
}

// forKeyChunks runs head + "k1,k2,...)" for chunks of at most fetchChunk
// keys.
func forKeyChunks(keys []int64, head string, run func(q string) error) error {
	var q strings.Builder
	for len(keys) > 0 {
		chunk := keys[:min(fetchChunk, len(keys))]
		keys = keys[len(chunk):]
		q.Reset()
		q.WriteString(head)
		for i, k := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(strconv.FormatInt(k, 10))
		}
		q.WriteByte(')')
		if err := run(q.String()); err != nil {
			return err
		}
	}
	return nil
}

// Insert inserts rows into db.<tbl.Name> as one INSERT naming every column
// of tbl.Columns.
func Insert[R any](ctx context.Context, e Engine, db string, tbl *table.Table[R], rows []R) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	return e.Insert(ctx, db, tbl.Name, ColumnNames(tbl.Columns), tableRows[R]{tbl: tbl, rows: rows})
}

// ColumnNames returns the names of cols.
func ColumnNames(cols []table.Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// tableRows adapts a slice of generated rows to Rows.
type tableRows[R any] struct {
	tbl  *table.Table[R]
	rows []R
}

func (t tableRows[R]) Len() int { return len(t.rows) }
func (t tableRows[R]) AppendRowBinary(dst []byte, i int) []byte {
	return t.tbl.AppendRowBinary(dst, &t.rows[i])
}

// FetchRows reads the full current rows of the given keys from
// db.<tbl.Name> and calls fn with each, in key order. A key with no
// current version yields nothing; fn owns each row.
//
// Like CurrentOf it reads every version row of the keys without FINAL and
// keeps, per (key, effective_start_date), the row with the latest
// updated_at: the two always agree on which versions are current. (On
// ClickHouse 18.16 a FINAL query's is_current filter may be applied
// before the rows are collapsed, which can answer a version's superseded
// current row.)
func FetchRows[R any](ctx context.Context, e Engine, db string, tbl *table.Table[R], keys []int64, fn func(row *R) error) error {
	for _, n := range []string{db, tbl.Name, tbl.KeyColumn} {
		if err := ValidIdent(n); err != nil {
			return err
		}
	}
	cols := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		cols[i] = QuoteIdent(c.Name)
	}
	head := "SELECT " + strings.Join(cols, ", ") + " FROM " + qualified(db, tbl.Name) +
		" WHERE " + QuoteIdent(tbl.KeyColumn) + " IN ("
	err := forKeyChunks(keys, head, func(q string) error {
		latest := map[versionKey]*R{}
		err := e.Query(ctx, q, func(src []byte) (int, error) {
			row := new(R)
			n, err := tbl.ReadRowBinary(src, row)
			if err != nil {
				return 0, err
			}
			s := tbl.SCD(row)
			k := versionKey{tbl.Key(row), s.EffectiveStartDate.Unix()}
			if old, ok := latest[k]; !ok || supersedes(s.UpdatedAt.Unix(), tbl.SCD(old).UpdatedAt.Unix()) {
				latest[k] = row
			}
			return n, nil
		})
		if err != nil {
			return err
		}
		order := make([]versionKey, 0, len(latest))
		for k, row := range latest {
			if tbl.SCD(row).IsCurrent {
				order = append(order, k)
			}
		}
		slices.SortFunc(order, func(a, b versionKey) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.start, b.start)
		})
		for _, k := range order {
			if err := fn(latest[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading current rows of %s.%s: %w", db, tbl.Name, err)
	}
	return nil
}

// TableEmpty reports whether db.tbl holds no rows.
func TableEmpty(ctx context.Context, e Engine, db, tbl string) (bool, error) {
	if err := ValidIdent(db); err != nil {
		return false, err
	}
	if err := ValidIdent(tbl); err != nil {
		return false, err
	}
	rows := 0
	err := e.Query(ctx, "SELECT 1 FROM "+qualified(db, tbl)+" LIMIT 1", func(src []byte) (int, error) {
		rows++
		return 1, nil
	})
	return rows == 0, err
}
