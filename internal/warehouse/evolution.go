package warehouse

import (
	"context"
	"strings"
	"time"

	"github.com/canonic-data/canonic/internal/rowbinary"
)

// State tables of schema evolution, one of each per tenant database:
// MigrationsTable records every generated migration applied to a table
// (or covered by creating the table from the current DDL);
// HashDefinitionsTable records the record-hash definition a table's
// current versions were last fully hashed with.
const (
	MigrationsTable      = "_canonic_migrations"
	HashDefinitionsTable = "_canonic_hash_definitions"
)

const migrationsDDL = `CREATE TABLE IF NOT EXISTS {db}.` + "`" + MigrationsTable + "`" + ` (
    table_name String,
    name String,
    applied_at DateTime,
    how String
) ENGINE = MergeTree ORDER BY (table_name, name)`

const hashDefinitionsDDL = `CREATE TABLE IF NOT EXISTS {db}.` + "`" + HashDefinitionsTable + "`" + ` (
    table_name String,
    definition String,
    columns String,
    recorded_at DateTime
) ENGINE = MergeTree ORDER BY (table_name, recorded_at)`

// EnsureEvolutionTables creates db's migration and hash-definition state
// tables if missing.
func EnsureEvolutionTables(ctx context.Context, e Engine, db string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	for _, ddl := range []string{migrationsDDL, hashDefinitionsDDL} {
		if err := e.Exec(ctx, replaceDB(ddl, db)); err != nil {
			return err
		}
	}
	return nil
}

// AppliedMigrations returns the names of table's recorded migrations.
func AppliedMigrations(ctx context.Context, e Engine, db, table string) (map[string]bool, error) {
	out := map[string]bool{}
	q := "SELECT name FROM " + qualified(db, MigrationsTable) + " WHERE table_name = " + QuoteString(table)
	err := e.Query(ctx, q, func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		out[r.String()] = true
		return r.Offset(), r.Err()
	})
	return out, err
}

// RecordMigrations records names as applied to table; how says whether
// they ran ("applied") or were covered by creating the table ("baseline").
func RecordMigrations(ctx context.Context, e Engine, db, table, how string, names []string, at time.Time) error {
	if len(names) == 0 {
		return nil
	}
	rows := make(textRows, len(names))
	for i, n := range names {
		rows[i] = textRow{strs: []string{table, n}, at: at, tail: how}
	}
	return e.Insert(ctx, db, MigrationsTable, []string{"table_name", "name", "applied_at", "how"}, rows)
}

// LastHashDefinition returns the latest recorded hash definition of table
// and its hashed columns; ok is false when none was recorded.
func LastHashDefinition(ctx context.Context, e Engine, db, table string) (def string, columns []string, ok bool, err error) {
	q := "SELECT definition, columns FROM " + qualified(db, HashDefinitionsTable) +
		" WHERE table_name = " + QuoteString(table) + " ORDER BY recorded_at DESC LIMIT 1"
	err = e.Query(ctx, q, func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		def = r.String()
		if cols := r.String(); cols != "" {
			columns = strings.Split(cols, ",")
		}
		ok = true
		return r.Offset(), r.Err()
	})
	return def, columns, ok, err
}

// RecordHashDefinition records that table's current versions are all
// hashed with def over columns. recorded_at has second resolution and
// LastHashDefinition takes the latest, so a definition recorded within the
// same second as the previous one is stamped one second after it.
func RecordHashDefinition(ctx context.Context, e Engine, db, table, def string, columns []string, at time.Time) error {
	var last time.Time
	q := "SELECT max(recorded_at) FROM " + qualified(db, HashDefinitionsTable) + " WHERE table_name = " + QuoteString(table)
	err := e.Query(ctx, q, func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		last = r.DateTime()
		return r.Offset(), r.Err()
	})
	if err != nil {
		return err
	}
	if at = at.Truncate(time.Second); !at.After(last) {
		at = last.Add(time.Second)
	}
	rows := textRows{{strs: []string{table, def, strings.Join(columns, ",")}, at: at}}
	return e.Insert(ctx, db, HashDefinitionsTable, []string{"table_name", "definition", "columns", "recorded_at"}, rows)
}

// textRow is strings, then a DateTime, then an optional trailing string.
type textRow struct {
	strs []string
	at   time.Time
	tail string
}

type textRows []textRow

func (x textRows) Len() int { return len(x) }

func (x textRows) AppendRowBinary(dst []byte, i int) []byte {
	r := x[i]
	for _, s := range r.strs {
		dst = rowbinary.AppendString(dst, s)
	}
	dst = rowbinary.AppendDateTime(dst, r.at)
	if r.tail != "" {
		dst = rowbinary.AppendString(dst, r.tail)
	}
	return dst
}

// HashDefinitionColumns returns the hashed columns of every definition
// recorded for table, newest first; nothing when db has no
// HashDefinitionsTable yet.
func HashDefinitionColumns(ctx context.Context, e Engine, db, table string) ([][]string, error) {
	ok, err := TableExists(ctx, e, db, HashDefinitionsTable)
	if err != nil || !ok {
		return nil, err
	}
	var out [][]string
	q := "SELECT columns FROM " + qualified(db, HashDefinitionsTable) +
		" WHERE table_name = " + QuoteString(table) + " ORDER BY recorded_at DESC"
	err = e.Query(ctx, q, func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		var cols []string
		if s := r.String(); s != "" {
			cols = strings.Split(s, ",")
		}
		out = append(out, cols)
		return r.Offset(), r.Err()
	})
	return out, err
}
