// Package table is the contract between generated code and the backfill
// runtime: a generated package describes one warehouse table with a
// Table value, and the runtime loads any table through it.
//
// Generated packages import this package, the standard library and
// internal/rowbinary only.
package table

import (
	"database/sql"
	"embed"
	"fmt"
	"time"
)

// SCD holds the six SCD Type 2 columns every generated row embeds, in
// their column order after the business columns.
type SCD struct {
	// EffectiveStartDate is when this version became true (UTC, seconds).
	EffectiveStartDate time.Time
	// EffectiveEndDate is when the next version replaced it; invalid (NULL)
	// while the version is current.
	EffectiveEndDate sql.Null[time.Time]
	// IsCurrent is true for the one open version of a key.
	IsCurrent bool
	// CreatedAt is when this version row was first written.
	CreatedAt time.Time
	// UpdatedAt is when this version row was last rewritten; it is the
	// ReplacingMergeTree version column, so a rewrite always moves it forward.
	UpdatedAt time.Time
	// RecordHash is the lowercase hex SHA-256 of the business columns'
	// canonical encoding (see internal/maprt.Hasher).
	RecordHash string
}

// SCDColumnNames are the SCD column names in table order.
var SCDColumnNames = []string{"effective_start_date", "effective_end_date", "is_current", "created_at", "updated_at", "record_hash"}

// Column is one column of the generated table as the DDL declares it.
type Column struct {
	Name    string // ClickHouse column name
	Type    string // ClickHouse type for the mapping's target, e.g. "Nullable(String)"
	Comment string // from the mapping's description
}

// Table describes one generated table. R is the generated row struct,
// which embeds SCD.
type Table[R any] struct {
	Service string // "connectwise"
	Name    string // "tickets"
	// Command is the table's backfill command, "backfill-connectwise-time-entries",
	// named by gen/naming.CommandName; the runtime prints it in -h and errors.
	Command  string
	Mapping  string // "mappings/connectwise/tickets.yaml"
	Endpoint string // source endpoint relative to the API base, "service/tickets"

	// DDL is the generated .sql file: CREATE TABLE IF NOT EXISTS and the
	// current-rows view, with unqualified names (run it with the tenant's
	// database selected). Statements end with ";\n".
	DDL string
	// ClusterDDL is the generated .cluster.sql file: the same table for a
	// ClickHouse cluster (<name>_local ReplicatedReplacingMergeTree, <name>
	// Distributed over it, the current view over <name>), every statement
	// ON CLUSTER, with the placeholders ClusterParam, DatabaseParam and
	// ZooKeeperPrefixParam for the runtime to fill.
	ClusterDDL string
	// CurrentView is the name of the view of current rows, "tickets_current".
	CurrentView string
	// Columns lists all columns (business, then SCD) in DDL order.
	Columns []Column
	// KeyColumn is the business key column; keys are integers.
	KeyColumn string
	// SourceKeyField is the source's key field used in conditions and
	// forward-only paging ("id").
	SourceKeyField string
	// SourceFields are the source field paths the mapping reads, for
	// partial responses ("status/name"; maps such as _info whole).
	SourceFields []string
	// CursorColumn and CursorField name the incremental cursor: the column
	// ("last_updated") and the source's condition field ("lastUpdated").
	// Empty when the table has no cursor.
	CursorColumn, CursorField string
	// VersionColumn dates new versions ("last_updated"); empty means a new
	// version starts at the run's start.
	VersionColumn string
	// HashDefinition identifies the hashed columns and their encoding; it
	// changes exactly when record hashes of the same data would change.
	HashDefinition string
	// HashColumns are the hashed business columns in order.
	HashColumns []string
	// HashSubset hashes only the named business columns with the same
	// encoding: what a definition over exactly those columns produced.
	HashSubset func(row *R, cols map[string]bool) string
	// Migrations are the table's numbered migrations in order; the first
	// creates the table as first generated.
	Migrations []Migration

	// Children are the columns read from a list endpoint under each record
	// (the mapping's child:); Decode leaves them NULL. Empty for most tables.
	Children []Child[R]
	// Rehash recomputes row.RecordHash after Children's Set or Copy; nil
	// when the table has no children.
	Rehash func(row *R)

	// Decode maps one source record (a JSON object) into row: it resets the
	// business columns, fills them and sets row.RecordHash. A value it
	// cannot convert yields a *FieldError. The SCD fields other than
	// RecordHash are left zero.
	Decode func(data []byte, row *R) error
	// Key returns the business key of row.
	Key func(row *R) int64
	// SCD returns the row's SCD columns for the runtime to fill.
	SCD func(row *R) *SCD
	// Version returns the value of VersionColumn (ok false when NULL or
	// when the table has no VersionColumn).
	Version func(row *R) (t time.Time, ok bool)
	// AppendRowBinary appends row in ClickHouse RowBinary format, all
	// columns in Columns order.
	AppendRowBinary func(dst []byte, row *R) []byte
	// ReadRowBinary reads one row in RowBinary (Columns order) from src and
	// returns the number of bytes consumed.
	ReadRowBinary func(src []byte, row *R) (int, error)
	// AppendValues appends one Go value per column in Columns order, as
	// clickhouse-go's batch.Append takes them (nil or a pointer for NULL).
	AppendValues func(dst []any, row *R) []any
}

// Placeholders of ClusterDDL. They are filled at run time with validated
// values (internal/warehouse.ClusterDDL). They cannot be mistaken for
// ClickHouse's own macros ({shard}, {replica}), which the DDL keeps for
// the servers to fill, and the generator writes every "$" of a column
// comment as \x24, so no other "${" occurs in the file.
const (
	// ClusterParam is the cluster name (ON CLUSTER, Distributed).
	ClusterParam = "${cluster}"
	// DatabaseParam is the tenant's database.
	DatabaseParam = "${database}"
	// ZooKeeperPrefixParam starts the replicated tables' ZooKeeper paths:
	// '${zk_prefix}/{shard}/${database}/<table>'.
	ZooKeeperPrefixParam = "${zk_prefix}"
)

// ZooKeeperPath starts the ZooKeeper path of a cluster table's local
// replicated table, followed by the table name: one path per shard and
// database. The database is written bare here (the runtime fills it with
// a validated identifier), not quoted as elsewhere.
const ZooKeeperPath = ZooKeeperPrefixParam + "/{shard}/" + DatabaseParam + "/"

// LocalSuffix names a cluster table's local (replicated) table:
// "tickets" + LocalSuffix.
const LocalSuffix = "_local"

// Child is a column read from one record of a list endpoint under each
// record, e.g. a ticket's description from its notes. The runtime requests
// Endpoint with the record's key for its path parameter, Conditions,
// OrderBy, Fields and pageSize=1: the first record returned is the one.
type Child[R any] struct {
	Column     string   // the column, "description"
	Endpoint   string   // "service/tickets/{parentId}/notes"
	Conditions string   // "detailDescriptionFlag = true"; "" for none
	OrderBy    string   // "dateCreated asc,id asc" (the pick is its first record)
	Fields     []string // the child fields the column reads, "text"
	// Set stores the picked child record (nil: none matched, NULL) in the
	// row's column; a value it cannot convert yields a *FieldError.
	Set func(row *R, child []byte) error
	// Copy copies the column from src to dst: a stored version's value,
	// reused for a record whose own columns did not change.
	Copy func(dst, src *R)
}

// Migration is one generated migration file.
type Migration struct {
	Name string // "0002_add_priority_id.sql"
	SQL  string // statements ending with ";\n"
}

// LoadMigrations reads the named migrations from a generated package's
// embedded files. The names come from the generator, so a missing file is
// a build defect and panics at init.
func LoadMigrations(files embed.FS, names ...string) []Migration {
	out := make([]Migration, len(names))
	for i, n := range names {
		data, err := files.ReadFile("migrations/" + n)
		if err != nil {
			panic(fmt.Sprintf("table: generated migration %s is missing: %v", n, err))
		}
		out[i] = Migration{Name: n, SQL: string(data)}
	}
	return out
}

// FieldError reports a source value that cannot be converted.
type FieldError struct {
	RecordID string // the source record's id, "" when it has none
	Column   string // canonical column
	Path     string // source path, "status__name"
	Err      error
}

func (e *FieldError) Error() string {
	id := e.RecordID
	if id == "" {
		id = "(no id)"
	}
	return fmt.Sprintf("record %s: column %s (source %s): %v", id, e.Column, e.Path, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }
