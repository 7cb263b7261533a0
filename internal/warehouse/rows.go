package warehouse

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
)

// fetchChunk bounds the keys of one FetchRows query, keeping its text well
// under ClickHouse's max_query_size (256 KiB by default).
const fetchChunk = 5000

// CurrentVersion is what the loader keeps in memory of a key's current
// version. Times are Unix seconds (DateTime precision), kept small because
// a large tenant has millions of keys.
// Hash is the first 128 bits of a record_hash (hex SHA-256): the loader
// keeps one per current key to tell a changed record from an unchanged
// one; 128 bits keep a false "unchanged" for one key's two versions at
// 2^-128 while taking a quarter of the hex text's memory.
type Hash [16]byte

// ParseHash decodes a record_hash; text that is not 64 hex digits gives a
// zero Hash, which no computed hash equals (the record is then treated as
// changed).
func ParseHash(s string) Hash {
	var full [32]byte
	if len(s) != 64 {
		return Hash{}
	}
	if _, err := hex.Decode(full[:], []byte(s)); err != nil {
		return Hash{}
	}
	return Hash(full[:16])
}

// CurrentVersion is what the loader keeps of a key's current version,
// packed: at a million keys these entries are most of its memory.
// Timestamps are Unix seconds (ClickHouse DateTime is 32-bit unsigned).
type CurrentVersion struct {
	Start     uint32 // effective_start_date
	CreatedAt uint32 // created_at
	UpdatedAt uint32 // updated_at
	Hash      Hash   // record_hash, its first 128 bits
	// Others counts further current versions of the key (0 unless an
	// earlier writer left more than one; Start is then the latest).
	Others int32
	// Seen and SeenVersion are the loader's bookkeeping: the source
	// returned the key in this run, with this version timestamp (kept here
	// rather than in a second map: one entry per key is the loader's
	// memory at a million keys).
	Seen        bool
	SeenVersion uint32
}

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

// Current reads the current versions of db.tbl (FINAL, is_current): per
// key its effective_start_date, record_hash, created_at and updated_at.
// It reads only those columns.
func Current(ctx context.Context, e Engine, db, tbl, keyColumn string) (map[int64]CurrentVersion, error) {
	for _, n := range []string{db, tbl, keyColumn} {
		if err := ValidIdent(n); err != nil {
			return nil, err
		}
	}
	q := "SELECT toInt64(" + QuoteIdent(keyColumn) + "), toDateTime(effective_start_date), record_hash, " +
		"toDateTime(created_at), toDateTime(updated_at) FROM " + qualified(db, tbl) + " FINAL WHERE is_current"
	cur := make(map[int64]CurrentVersion)
	var r rowbinary.Reader
	err := e.Query(ctx, q, func(src []byte) (int, error) {
		r.Reset(src)
		key := r.Int64()
		var v CurrentVersion
		v.Start = uint32(r.DateTime().Unix())
		v.Hash = ParseHash(r.String())
		v.CreatedAt = uint32(r.DateTime().Unix())
		v.UpdatedAt = uint32(r.DateTime().Unix())
		if err := r.Err(); err != nil {
			return 0, err
		}
		if old, dup := cur[key]; dup {
			if old.Start > v.Start {
				v, old = old, v
			}
			v.Others = old.Others + 1
		}
		cur[key] = v
		return r.Offset(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading current versions of %s.%s: %w", db, tbl, err)
	}
	return cur, nil
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
func (t tableRows[R]) AppendValues(dst []any, i int) []any {
	return t.tbl.AppendValues(dst, &t.rows[i])
}

// FetchRows reads the full current rows (FINAL, is_current) of the given
// keys from db.<tbl.Name> and calls fn with each, in no particular order.
// A key with no current version yields nothing; fn owns each row.
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
		" FINAL WHERE is_current AND " + QuoteIdent(tbl.KeyColumn) + " IN ("
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
		err := e.Query(ctx, q.String(), func(src []byte) (int, error) {
			row := new(R)
			n, err := tbl.ReadRowBinary(src, row)
			if err != nil {
				return 0, err
			}
			return n, fn(row)
		})
		if err != nil {
			return fmt.Errorf("reading current rows of %s.%s: %w", db, tbl.Name, err)
		}
	}
	return nil
}
