// Package query runs one SQL statement against the warehouse a backfill
// loads into, with a tenant's database selected, and writes the result in
// a ClickHouse output format. It is the engine behind `canonic query`.
//
// Two engines, as for the backfill:
//
//   - Embedded (Options.DSN empty): chDB on the data directory a backfill
//     wrote (Options.DataDir). The engine formats the result itself, so
//     every output format it knows works.
//   - Server (Options.DSN set): the query goes to the server's HTTP
//     interface, which also formats on the server (the native protocol
//     that backfills use returns typed columns, not formatted text). The
//     DSN may name the HTTP interface directly (http:// or https://) or be
//     the backfill's clickhouse:// DSN, whose HTTP port is derived from the
//     native one (HTTPPort).
//
// The password of a DSN never appears in an error.
package query

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// Options says where and how to run a query.
type Options struct {
	// DataDir is the embedded engine's data directory (used when DSN is "").
	DataDir string
	// DSN selects a ClickHouse server: http(s)://user:password@host:8123/db
	// or clickhouse://user:password@host:9000/db[?secure=true].
	DSN string
	// HTTPPort overrides the HTTP port derived from a clickhouse:// DSN (0:
	// derive it).
	HTTPPort int
	// Database is selected for the query ("" leaves the engine's default).
	Database string
	// Format is a ClickHouse output format ("" is TabSeparated) or
	// TableFormat. A FORMAT clause in the SQL wins over it.
	Format string
}

// Engine runs formatted queries.
type Engine interface {
	// Run runs sql with db selected ("" for none) and writes its output in
	// format to w.
	Run(ctx context.Context, db, sql, format string, w io.Writer) error
	// Databases lists the databases that are not ClickHouse's own.
	Databases(ctx context.Context) ([]string, error)
	// Close releases the engine.
	Close() error
}

// Open opens the engine opts name.
func Open(ctx context.Context, opts Options) (Engine, error) {
	if opts.DSN != "" {
		return openServer(ctx, opts.DSN, opts.HTTPPort)
	}
	return openEmbedded(opts.DataDir)
}

// Run opens the engine, runs sql and writes its result to w. When the
// query fails because a table or database is unknown, the error lists the
// tenant databases the engine holds.
func Run(ctx context.Context, opts Options, sql string, w io.Writer) error {
	if strings.TrimSpace(sql) == "" {
		return fmt.Errorf("no SQL to run")
	}
	eng, err := Open(ctx, opts)
	if err != nil {
		return err
	}
	defer eng.Close()
	format := opts.Format
	if format == "" {
		format = DefaultFormat
	}
	if clause := FormatClause(sql); format == TableFormat && clause != "" {
		format = clause // the SQL names its format: the table cannot be made from it
	}
	if format == TableFormat {
		var buf bytes.Buffer
		if err := eng.Run(ctx, opts.Database, sql, tableSource, &buf); err != nil {
			return withDatabases(ctx, eng, opts.Database, err)
		}
		return RenderTable(w, buf.Bytes())
	}
	if err := eng.Run(ctx, opts.Database, sql, format, w); err != nil {
		return withDatabases(ctx, eng, opts.Database, err)
	}
	return nil
}

// withDatabases adds the tenant databases to an unknown table or database
// error: the usual mistake is a missing or misspelt --tenant.
func withDatabases(ctx context.Context, eng Engine, db string, err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "UNKNOWN_TABLE") && !strings.Contains(msg, "UNKNOWN_DATABASE") &&
		!strings.Contains(msg, "Code: 60") && !strings.Contains(msg, "Code: 81") {
		return err
	}
	dbs, lerr := eng.Databases(ctx)
	if lerr != nil {
		return err
	}
	selected := "no database selected (--tenant)"
	if db != "" {
		selected = "database " + db + " selected"
	}
	if len(dbs) == 0 {
		return fmt.Errorf("%w (%s; this warehouse holds no tenant database yet: run a backfill first)", err, selected)
	}
	return fmt.Errorf("%w (%s; tenant databases here: %s)", err, selected, strings.Join(dbs, ", "))
}

// ownDatabases are ClickHouse's own databases, left out of Databases.
const ownDatabases = "('system', 'information_schema', 'INFORMATION_SCHEMA', 'default', '_temporary_and_external_tables')"

// databasesSQL lists the other databases, one per line.
const databasesSQL = "SELECT name FROM system.databases WHERE name NOT IN " + ownDatabases + " ORDER BY name"

// lines splits TabSeparated output of one column into its values.
func lines(out []byte) []string {
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			names = append(names, l)
		}
	}
	return names
}
