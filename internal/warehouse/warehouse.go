// Package warehouse puts one interface over the two ClickHouse engines a
// backfill can load into: chDB embedded in the process (OpenEmbedded) and
// a ClickHouse server (OpenServer, tested against 18.16), reached over the
// native protocol with clickhouse-go for statements and queries and over
// its HTTP interface for inserts.
//
// An Engine does three things: run a statement, run a query whose rows it
// hands over in RowBinary, and insert rows with an explicit column list.
// Everything else (databases, DDL, schema drift, current versions, the
// runs state table) is written once on top of those, in this package, so
// both engines behave the same. The generic helpers (Insert, FetchRows)
// take a generated *table.Table[R] and move rows with its RowBinary
// functions.
//
// Every database and table name goes through ValidIdent and is quoted with
// backticks (QuoteIdent); string values go through QuoteString. Nothing a
// tenant name can hold changes the shape of a statement.
package warehouse

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/canonic-data/canonic/internal/chschema"
)

// Engine is a ClickHouse engine the loader writes to.
//
// Implementations are OpenEmbedded (chDB) and OpenServer (clickhouse-go
// and the HTTP interface).
// Methods are safe for concurrent use; Query runs beside a running Insert
// (the loader reads the next batch's state while the previous one is
// inserted).
type Engine interface {
	// Kind is "embedded" or "server".
	Kind() string
	// String describes the engine for logs: the data directory, or the
	// server's DSN with the password redacted.
	String() string
	// Exec runs one statement and discards its output.
	Exec(ctx context.Context, query string) error
	// ApplyDDL runs each statement of ddl (statements end with ";\n")
	// with db as the session's current database, so that unqualified
	// names in the statements, view bodies included, resolve to db.
	ApplyDDL(ctx context.Context, db, ddl string) error
	// Query runs a SELECT and calls fn for its rows in order, with src
	// holding the remaining result in RowBinary, starting at one row
	// (the row alone, or followed by later rows); fn returns the bytes
	// that row took. An error from fn stops the query and is returned.
	Query(ctx context.Context, query string, fn func(src []byte) (int, error)) error
	// Insert inserts rows into db.tbl, naming columns explicitly, as one
	// INSERT (one part: the rows of one call commit together).
	Insert(ctx context.Context, db, tbl string, columns []string, rows Rows) error
	// Close releases the engine.
	Close() error
}

// Rows is a batch of rows to insert. Both engines take RowBinary: chDB
// directly, the server through its HTTP interface.
type Rows interface {
	// Len is the number of rows.
	Len() int
	// AppendRowBinary appends row i in RowBinary, columns in order.
	AppendRowBinary(dst []byte, i int) []byte
}

// Where a warehouse is, when the command line does not say: the backfill
// binaries and `canonic query` read both.
const (
	// EnvDSN names the environment variable holding a ClickHouse server's
	// DSN; when it is set, commands use that server.
	EnvDSN = "CLICKHOUSE_DSN"
	// DefaultDataDir is the embedded engine's data directory.
	DefaultDataDir = "./data"
)

// Engine kinds.
const (
	KindEmbedded = "embedded"
	KindServer   = "server"
)

// identRE is what ValidIdent accepts.
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// reservedDatabases are ClickHouse's own databases, which nothing may load
// into: system, information_schema (chDB and newer servers also have it as
// INFORMATION_SCHEMA; names compare case-insensitively here) and the
// server's hidden _temporary_and_external_tables.
var reservedDatabases = []string{"system", "information_schema", "_temporary_and_external_tables"}

// sharedDatabases exist on every ClickHouse and are shared by everything
// that connects: a tenant database there only when named on purpose.
var sharedDatabases = []string{"default"}

// SharedDatabase reports whether name is a database every ClickHouse has
// and shares among its users (default), which a tenant name must not
// select by accident.
func SharedDatabase(name string) bool {
	for _, d := range sharedDatabases {
		if strings.EqualFold(name, d) {
			return true
		}
	}
	return false
}

// ValidIdent reports whether name can be a database or table name: ASCII
// letters, digits and underscores, not starting with a digit, at most 63
// characters.
func ValidIdent(name string) error {
	if !identRE.MatchString(name) {
		return fmt.Errorf("invalid name %q: use 1 to 63 ASCII letters, digits or underscores, not starting with a digit", clip(name))
	}
	return nil
}

// ValidDatabase is ValidIdent plus a refusal of ClickHouse's own
// databases (system, information_schema, _temporary_and_external_tables).
func ValidDatabase(name string) error {
	if err := ValidIdent(name); err != nil {
		return err
	}
	for _, r := range reservedDatabases {
		if strings.EqualFold(name, r) {
			return fmt.Errorf("invalid database %q: it is reserved by ClickHouse", name)
		}
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// QuoteIdent quotes name as a ClickHouse identifier in backticks, escaping
// backslashes and backticks. Callers validate names first; quoting is the
// second line of defence.
func QuoteIdent(name string) string { return chschema.QuoteIdent(name) }

// QuoteString quotes s as a ClickHouse string literal (chschema.QuoteString).
func QuoteString(s string) string { return chschema.QuoteString(s) }

// qualified returns `db`.`name`.
func qualified(db, name string) string {
	return QuoteIdent(db) + "." + QuoteIdent(name)
}

// SplitStatements splits a DDL file into its statements: each ends with
// ";\n" (the last may end with ";" or nothing). Blank statements and
// statements holding only "--" comment lines are dropped.
func SplitStatements(ddl string) []string {
	var out []string
	for _, s := range strings.Split(ddl, ";\n") {
		s = strings.TrimSpace(s)
		s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
		if s == "" || onlyComments(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// onlyComments reports whether every non-blank line of s is a "--" comment.
func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			return false
		}
	}
	return true
}

// ErrNoTable is returned (wrapped) by Columns when the table does not exist.
var ErrNoTable = errors.New("table does not exist")
