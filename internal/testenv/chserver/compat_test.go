package chserver_test

// Regression tests for what clickhouse-go v2 and the reference server
// (Debian's clickhouse-server 18.16.1, protocol revision 54412) do and do
// not support. FINDINGS.md describes the results; a failure here means
// the server or the driver changed, and FINDINGS.md needs a new look.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// openConn opens a native connection to srv as the default user with
// database db as the session's default database.
func openConn(tb testing.TB, srv *chserver.Server, db string) driver.Conn {
	tb.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{srv.NativeAddr},
		Auth:        clickhouse.Auth{Database: db},
		DialTimeout: 5 * time.Second,
		ReadTimeout: 60 * time.Second,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// testCtx returns a context that ends with the test or after a minute.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

func exec(t *testing.T, conn driver.Conn, query string) {
	t.Helper()
	if err := conn.Exec(testCtx(t), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestServerIsReference pins the server the findings were made on.
func TestServerIsReference(t *testing.T) {
	srv := chserver.Shared(t)
	conn := openConn(t, srv, "default")
	v, err := conn.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server: %s", v)
	if v.Version.Major != 18 || v.Version.Minor != 16 || v.Revision != 54412 {
		t.Errorf("server is %d.%d.%d revision %d; FINDINGS.md was written for 18.16.1 revision 54412: re-check it",
			v.Version.Major, v.Version.Minor, v.Version.Patch, v.Revision)
	}
	if tz := v.Timezone.String(); tz != "Etc/UTC" && tz != "UTC" {
		t.Errorf("server time zone %q, want UTC", tz)
	}
	var version string
	if err := conn.QueryRow(testCtx(t), "SELECT version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != fmt.Sprintf("%d.%d.%d", v.Version.Major, v.Version.Minor, v.Version.Patch) {
		t.Errorf("SELECT version() = %q, handshake said %s", version, v)
	}
}

// TestDDLFeatures runs, in order, statements the reference server accepts
// (wantErr empty) and rejects (wantErr is part of its message).
func TestDDLFeatures(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	const enum = "Enum8('Low' = 1, 'Medium' = 2, 'High' = 3)"
	cases := []struct{ stmt, wantErr string }{
		{"CREATE DATABASE IF NOT EXISTS {db}", ""},
		{"CREATE DATABASE IF NOT EXISTS {db}", ""},
		{"CREATE TABLE IF NOT EXISTS {db}.t (" +
			"id Int64 COMMENT 'key', " +
			"effective_start_date DateTime('UTC'), " +
			"effective_end_date Nullable(DateTime('UTC')), " +
			"d Date, nd Nullable(Date), " +
			"level Nullable(" + enum + "), plain_level " + enum + ", " +
			"amount Decimal(18, 4), n_amount Nullable(Decimal(18,4)), big Decimal(38, 10), " +
			"u UUID, nu Nullable(UUID), " +
			"is_current UInt8, flag Nullable(UInt8), " +
			"f Float64, i32 Int32, i64 Int64, s String, ns Nullable(String) COMMENT 'it\\'s a \\\\ and a\\nnewline', " +
			"updated_at DateTime" +
			") ENGINE = ReplacingMergeTree(updated_at) PARTITION BY toYYYYMM(effective_start_date) ORDER BY (id, effective_start_date)", ""},
		// IF NOT EXISTS with a different schema is silently a no-op.
		{"CREATE TABLE IF NOT EXISTS {db}.t (other Int8) ENGINE = Memory", ""},
		{"CREATE TABLE {db}.defaults (a Int32, b DateTime DEFAULT now(), c Nullable(String) DEFAULT NULL, e UUID DEFAULT generateUUIDv4()) ENGINE = MergeTree ORDER BY tuple()", ""},
		{"CREATE TABLE {db}.granular (a Int32) ENGINE = MergeTree ORDER BY a SETTINGS index_granularity = 8192", ""},
		{"ALTER TABLE {db}.t ADD COLUMN added Nullable(String) COMMENT 'new' AFTER id", ""},
		{"ALTER TABLE {db}.t COMMENT COLUMN added 'changed \\'quoted\\''", ""},
		{"ALTER TABLE {db}.t MODIFY COLUMN added String", ""},
		{"ALTER TABLE {db}.t MODIFY COLUMN added Nullable(String) COMMENT 'modified'", ""},
		{"ALTER TABLE {db}.t ADD COLUMN x1 String, ADD COLUMN x2 String AFTER x1", ""},
		// internal/chschema's rules: leaving Nullable with a DEFAULT, its
		// backslash escapes in identifiers and strings, and no reordering.
		{"ALTER TABLE {db}.t MODIFY COLUMN ns String DEFAULT ''", ""},
		{"ALTER TABLE {db}.t ADD COLUMN `we\\`i\\\\rd` String AFTER id", ""},
		{"ALTER TABLE {db}.t COMMENT COLUMN `we\\`i\\\\rd` 'a\\nb\\tc\\0d\\x01e\\'f'", ""},
		{"ALTER TABLE {db}.t DROP COLUMN `we\\`i\\\\rd`", ""},
		{"ALTER TABLE {db}.t MODIFY COLUMN s String AFTER id", "Syntax error"},
		{"ALTER TABLE {db}.t DROP COLUMN x1, DROP COLUMN x2", ""},
		{"CREATE VIEW IF NOT EXISTS {db}.v AS SELECT * FROM {db}.t FINAL WHERE is_current = 1", ""},
		{"CREATE VIEW IF NOT EXISTS {db}.v AS SELECT * FROM {db}.t FINAL WHERE is_current = 1", ""},
		{"SELECT * FROM {db}.v", ""},
		{"SELECT id, argMax(s, updated_at), toString(argMax(u, updated_at)) FROM {db}.t FINAL GROUP BY id", ""},
		{"SELECT toDateTime('2024-01-02 03:04:05', 'UTC'), toString(toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0'))", ""},
		{"SELECT 1 SETTINGS max_threads = 1", ""},
		{"OPTIMIZE TABLE {db}.t FINAL", ""},
		{"ALTER TABLE {db}.t DELETE WHERE id = 0", ""},
		{"RENAME TABLE {db}.granular TO {db}.granular2", ""},
		{"TRUNCATE TABLE {db}.granular2", ""},
		{"DROP TABLE IF EXISTS {db}.v", ""}, // also drops views
		{"DROP TABLE IF EXISTS {db}.v", ""},

		{"CREATE TABLE {db}.c (a Int32) ENGINE = MergeTree ORDER BY a COMMENT 'table comment'", "Syntax error"},
		{"ALTER TABLE {db}.t MODIFY COMMENT 'table comment'", "Syntax error"},
		{"ALTER TABLE {db}.t ADD COLUMN IF NOT EXISTS added String", "Syntax error"},
		{"ALTER TABLE {db}.t DROP COLUMN IF EXISTS added", "Syntax error"},
		{"ALTER TABLE {db}.t ADD COLUMN first String FIRST", "Syntax error"},
		{"CREATE OR REPLACE VIEW {db}.v AS SELECT 1", "Syntax error"},
		{"DROP VIEW IF EXISTS {db}.v", "Syntax error"},
		{"EXCHANGE TABLES {db}.t AND {db}.granular2", "Syntax error"},
		{"CREATE TABLE {db}.c (a Int32 CODEC(ZSTD)) ENGINE = MergeTree ORDER BY a", "Syntax error"},
		{"CREATE TABLE {db}.c (a Int32, d Date) ENGINE = MergeTree ORDER BY a TTL d + INTERVAL 1 DAY", "Syntax error"},
		{"SELECT 1; SELECT 2", "Multi-statements are not allowed"},
		{"CREATE DATABASE {db}_m1; CREATE DATABASE {db}_m2", "Multi-statements are not allowed"},
		{"CREATE TABLE {db}.c (a Bool) ENGINE = Memory", "Unknown data type family: Bool"},
		{"CREATE TABLE {db}.c (a DateTime64(3)) ENGINE = Memory", "Unknown data type family: DateTime64"},
		{"CREATE TABLE {db}.c (a LowCardinality(String)) ENGINE = Memory", "allow_experimental_low_cardinality_type"},
		{"CREATE TABLE {db}.c (a Nullable(Int32)) ENGINE = MergeTree ORDER BY a", "Sorting key cannot contain nullable columns"},
		{"CREATE TABLE {db}.c (a Int32, b Nullable(Date)) ENGINE = MergeTree PARTITION BY toYYYYMM(b) ORDER BY a", "Partition key cannot contain nullable columns"},
		{"SELECT 1 SETTINGS allow_experimental_decimal_type = 1", "Unknown setting allow_experimental_decimal_type"},
		{"SELECT currentUser()", "Unknown function currentUser"},
		{"SELECT position FROM system.columns", "position"},
	}
	for _, c := range cases {
		stmt := strings.ReplaceAll(c.stmt, "{db}", db)
		err := conn.Exec(ctx, stmt)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("18.16 accepted this, now: %v\n\t%s", err, stmt)
		case c.wantErr != "" && err == nil:
			t.Errorf("18.16 rejected this (%q), now it is accepted\n\t%s", c.wantErr, stmt)
		case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
			t.Errorf("error %q, want it to contain %q\n\t%s", err, c.wantErr, stmt)
		}
	}
}

// TestSystemColumns checks what a live table's schema looks like in
// system.columns after ALTERs: table order (there is no position column),
// types as written, comments read back byte for byte, COMMENT clauses of
// ADD COLUMN and MODIFY COLUMN ignored, and MODIFY COLUMN without DEFAULT
// dropping the default.
func TestSystemColumns(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	exec(t, conn, "CREATE TABLE "+db+".t ("+
		"a Int32 COMMENT 'plain', "+
		"b String COMMENT 'it\\'s a \\\\ backslash\\nnewline \"dq\" \\t tab ünï', "+
		"c Nullable(String) DEFAULT NULL COMMENT 'c', "+
		"d DateTime('UTC') DEFAULT toDateTime(0, 'UTC'), "+
		"e Nullable(Enum8('Low' = 1, 'High' = 3))"+
		") ENGINE = MergeTree ORDER BY a")
	exec(t, conn, "ALTER TABLE "+db+".t ADD COLUMN z Nullable(Decimal(18, 4)) COMMENT 'ignored' AFTER a")
	exec(t, conn, "ALTER TABLE "+db+".t MODIFY COLUMN c String")
	exec(t, conn, "ALTER TABLE "+db+".t MODIFY COLUMN e Nullable(Enum8('Low' = 1, 'High' = 3)) COMMENT 'ignored too'")
	exec(t, conn, "ALTER TABLE "+db+".t COMMENT COLUMN a 'new \\'a\\''")
	exec(t, conn, "ALTER TABLE "+db+".t DROP COLUMN d")

	rows, err := conn.Query(ctx, "SELECT name, type, default_kind, default_expression, comment, is_in_sorting_key FROM system.columns WHERE database = ? AND table = ?", db, "t")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ, kind, expr, comment string
		var sorting uint8
		if err := rows.Scan(&name, &typ, &kind, &expr, &comment, &sorting); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s|%d", name, typ, kind, expr, comment, sorting))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a|Int32|||new 'a'|1",
		"z|Nullable(Decimal(18, 4))||||0",
		"b|String|||it's a \\ backslash\nnewline \"dq\" \t tab ünï|0",
		"c|String|||c|0",
		"e|Nullable(Enum8('Low' = 1, 'High' = 3))||||0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("system.columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Making a column non-Nullable fails while it holds a NULL.
	if _, err := srv.Query(ctx, "INSERT INTO "+db+".t (a, e) VALUES (1, NULL)"); err != nil {
		t.Fatal(err)
	}
	err = conn.Exec(ctx, "ALTER TABLE "+db+".t MODIFY COLUMN e Enum8('Low' = 1, 'High' = 3)")
	if err == nil || !strings.Contains(err.Error(), "Cannot convert NULL value to non-Nullable type") {
		t.Errorf("MODIFY COLUMN to non-Nullable over a NULL: %v", err)
	}
}

// TestViewBody checks that an unqualified table in a view body is bound to
// the creating session's database at CREATE time, and that a view's
// columns are fixed at CREATE time.
func TestViewBody(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	other := srv.TempDatabase(t)
	ctx := testCtx(t)
	inDB := openConn(t, srv, db)
	inOther := openConn(t, srv, other)
	for _, d := range []string{db, other} {
		exec(t, inDB, "CREATE TABLE "+d+".t (id Int64, name String, is_current UInt8, effective_start_date DateTime('UTC'), updated_at DateTime('UTC')) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (id, effective_start_date)")
	}
	if _, err := srv.Query(ctx, "INSERT INTO "+db+".t VALUES (1, 'old', 1, '2024-01-01 00:00:00', '2024-01-01 00:00:00'), (1, 'new', 1, '2024-01-01 00:00:00', '2024-02-01 00:00:00'), (2, 'closed', 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00')"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Query(ctx, "INSERT INTO "+other+".t VALUES (99, 'WRONG DATABASE', 1, now(), now())"); err != nil {
		t.Fatal(err)
	}
	exec(t, inDB, "CREATE VIEW IF NOT EXISTS v AS SELECT * FROM t FINAL WHERE is_current = 1")

	var create string
	if err := inOther.QueryRow(ctx, "SHOW CREATE TABLE "+db+".v").Scan(&create); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(create, "FROM "+db+".t FINAL") {
		t.Errorf("view body not qualified at CREATE time: %s", create)
	}
	viewRows := func() []string {
		t.Helper()
		rows, err := inOther.Query(ctx, "SELECT * FROM "+db+".v ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			vals := make([]any, len(rows.Columns()))
			for i, ct := range rows.ColumnTypes() {
				vals[i] = newScanDest(ct.DatabaseTypeName())
			}
			if err := rows.Scan(vals...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(rows.Columns(), derefAll(vals)))
		}
		return out
	}
	want := "[id name is_current effective_start_date updated_at] [1 new 1 2024-01-01 00:00:00 +0000 UTC 2024-02-01 00:00:00 +0000 UTC]"
	if got := viewRows(); len(got) != 1 || got[0] != want {
		t.Errorf("view from another database = %q, want [%q]", got, want)
	}

	// Columns are fixed at CREATE time: a column added to the table is not
	// in SELECT * FROM the view until the view is recreated.
	exec(t, inDB, "ALTER TABLE "+db+".t ADD COLUMN extra String AFTER name")
	if got := viewRows(); len(got) != 1 || got[0] != want {
		t.Errorf("view after ADD COLUMN = %q, want the old columns %q", got, want)
	}
	exec(t, inDB, "DROP TABLE "+db+".v")
	exec(t, inDB, "CREATE VIEW "+db+".v AS SELECT * FROM "+db+".t FINAL WHERE is_current = 1")
	want2 := "[id name extra is_current effective_start_date updated_at] [1 new  1 2024-01-01 00:00:00 +0000 UTC 2024-02-01 00:00:00 +0000 UTC]"
	if got := viewRows(); len(got) != 1 || got[0] != want2 {
		t.Errorf("recreated view = %q, want [%q]", got, want2)
	}
	// A column the view selects that is dropped from the table breaks it.
	exec(t, inDB, "ALTER TABLE "+db+".t DROP COLUMN extra")
	if _, err := inOther.Query(ctx, "SELECT * FROM "+db+".v"); err == nil || !strings.Contains(err.Error(), "Not found column extra") {
		t.Errorf("view over a dropped column: %v, want 'Not found column extra'", err)
	}
}

// newScanDest returns a pointer to scan a column of the given type into.
func newScanDest(typ string) any {
	switch {
	case typ == "Int64":
		return new(int64)
	case typ == "UInt8":
		return new(uint8)
	case strings.HasPrefix(typ, "DateTime"):
		return new(time.Time)
	default:
		return new(string)
	}
}

func derefAll(ptrs []any) []any {
	out := make([]any, len(ptrs))
	for i, p := range ptrs {
		switch v := p.(type) {
		case *int64:
			out[i] = *v
		case *uint8:
			out[i] = *v
		case *time.Time:
			out[i] = *v
		case *string:
			out[i] = *v
		}
	}
	return out
}

// TestReplacingMergeTreeFinal checks that FINAL and argMax pick the row
// with the greatest version column per sorting key.
func TestReplacingMergeTreeFinal(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, db)
	ctx := testCtx(t)
	exec(t, conn, "CREATE TABLE t (id Int64, effective_start_date DateTime('UTC'), name String, updated_at DateTime('UTC')) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (id, effective_start_date)")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"v1", "v3", "v2"} { // v3 has the greatest updated_at
		b, err := conn.PrepareBatch(ctx, "INSERT INTO t (id, effective_start_date, name, updated_at)")
		if err != nil {
			t.Fatal(err)
		}
		version := map[string]int{"v1": 1, "v2": 2, "v3": 3}[name]
		if err := b.Append(int64(1), start, name, start.Add(time.Duration(version)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := b.Send(); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	var name string
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT any(name), count() FROM t FINAL").Scan(&name, &n); err != nil {
		t.Fatal(err)
	}
	if name != "v3" || n != 1 {
		t.Errorf("FINAL: %q x%d, want v3 x1", name, n)
	}
	if err := conn.QueryRow(ctx, "SELECT argMax(name, updated_at) FROM t GROUP BY id, effective_start_date").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "v3" {
		t.Errorf("argMax = %q, want v3", name)
	}
}

// allTypesDDL is a table with every column type the project generates.
const allTypesDDL = `CREATE TABLE %s (
	id Int64,
	effective_start_date DateTime('UTC'),
	effective_end_date Nullable(DateTime('UTC')),
	d Date,
	nd Nullable(Date),
	level Enum8('Low' = 1, 'Medium' = 2, 'High' = 3),
	nlevel Nullable(Enum8('Low' = 1, 'Medium' = 2, 'High' = 3)),
	amount Decimal(18, 4),
	namount Nullable(Decimal(18, 4)),
	u UUID,
	nu Nullable(UUID),
	is_current UInt8,
	flag Nullable(UInt8),
	f Float64,
	i32 Int32,
	s String,
	ns Nullable(String),
	ns2 Nullable(String),
	updated_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (id, effective_start_date)`

// TestBatchInsertExplicitColumns inserts every column type with an
// explicit column list in an order different from the table's, from the Go
// types the project uses, and reads the rows back over native and HTTP.
func TestBatchInsertExplicitColumns(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	exec(t, conn, fmt.Sprintf(allTypesDDL, db+".t"))

	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	day := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	amount := decimal.RequireFromString("-12345.6789")
	id := uuid.MustParse("61f0c404-5cb3-11e7-907b-a6006ad3dba0")

	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+db+".t (updated_at, id, effective_start_date, effective_end_date, d, nd, level, nlevel, amount, namount, u, nu, is_current, flag, f, i32, s, ns, ns2)")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Columns()) != 19 || b.Columns()[0].Name() != "updated_at" {
		t.Fatalf("batch columns not in the query's order: %d columns, first %q", len(b.Columns()), b.Columns()[0].Name())
	}
	// Row 1: every value present.
	if err := b.Append(ts, int64(1), ts, ptr(ts.Add(time.Hour)), day, ptr(day), "High", ptr("Low"),
		amount, ptr(amount), id, ptr(id), true, sql.Null[bool]{V: true, Valid: true}, 0.1, int32(-7),
		"plain", ptr("x"), sql.Null[string]{V: "y", Valid: true}); err != nil {
		t.Fatal(err)
	}
	// Row 2: every Nullable NULL, each way it can be written.
	if err := b.Append(ts, int64(2), ts, (*time.Time)(nil), day, nil, "Low", (*string)(nil),
		decimal.Zero, (*decimal.Decimal)(nil), uuid.Nil, (*uuid.UUID)(nil), false, sql.Null[bool]{}, 0.0, int32(0),
		"", nil, sql.Null[string]{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}

	rows, err := conn.Query(ctx, "SELECT id, effective_end_date, nd, level, nlevel, amount, namount, u, nu, is_current, flag, f, i32, ns, ns2 FROM "+db+".t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var (
			rid       int64
			end, nd   *time.Time
			level     string
			nlevel    sql.Null[string]
			amt       decimal.Decimal
			namt      *decimal.Decimal
			u         uuid.UUID
			nu        *uuid.UUID
			isCurrent uint8
			flag      sql.Null[uint8]
			f         float64
			i32       int32
			ns        *string
			ns2       sql.Null[string]
		)
		if err := rows.Scan(&rid, &end, &nd, &level, &nlevel, &amt, &namt, &u, &nu, &isCurrent, &flag, &f, &i32, &ns, &ns2); err != nil {
			t.Fatal(err)
		}
		show := func(p any) string {
			switch v := p.(type) {
			case *time.Time:
				if v == nil {
					return "NULL"
				}
				return v.Format(time.RFC3339)
			case *decimal.Decimal:
				if v == nil {
					return "NULL"
				}
				return v.String()
			case *uuid.UUID:
				if v == nil {
					return "NULL"
				}
				return v.String()
			case *string:
				if v == nil {
					return "NULL"
				}
				return *v
			}
			return fmt.Sprint(p)
		}
		got = append(got, fmt.Sprintf("%d %s %s %s %v %s %s %s %s %d %v %v %d %s %v",
			rid, show(end), show(nd), level, nlevel, amt, show(namt), u, show(nu), isCurrent, flag, f, i32, show(ns), ns2))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 2024-05-06T08:08:09Z 2024-05-06T00:00:00Z High {Low true} -12345.6789 -12345.6789 61f0c404-5cb3-11e7-907b-a6006ad3dba0 61f0c404-5cb3-11e7-907b-a6006ad3dba0 1 {1 true} 0.1 -7 x {y true}",
		"2 NULL NULL Low { false} 0 NULL 00000000-0000-0000-0000-000000000000 NULL 0 {0 false} 0 0 NULL { false}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("native read back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The same rows as JSONEachRow over HTTP: Int64 quoted, Decimal a bare
	// number with all scale digits, DateTime and Date as strings in the
	// column's time zone, Enum by name, NULL as null.
	out, err := srv.Query(ctx, "SELECT id, effective_end_date, d, nlevel, amount, namount, nu, flag, f FROM "+db+".t ORDER BY id FORMAT JSONEachRow")
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"id":"1","effective_end_date":"2024-05-06 08:08:09","d":"2024-05-06","nlevel":"Low","amount":-12345.6789,"namount":-12345.6789,"nu":"61f0c404-5cb3-11e7-907b-a6006ad3dba0","flag":1,"f":0.1}
{"id":"2","effective_end_date":null,"d":"2024-05-06","nlevel":null,"amount":0.0000,"namount":null,"nu":null,"flag":null,"f":0}
`
	if out != wantJSON {
		t.Errorf("JSONEachRow:\n%s\nwant:\n%s", out, wantJSON)
	}
}

// TestBatchWithoutColumnList documents that with no column list the
// server's header block has no columns, so every Append fails.
func TestBatchWithoutColumnList(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	exec(t, conn, "CREATE TABLE "+db+".t (a Int32, b String) ENGINE = MergeTree ORDER BY a")
	for _, q := range []string{"INSERT INTO " + db + ".t", "INSERT INTO " + db + ".t VALUES"} {
		b, err := conn.PrepareBatch(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n := len(b.Columns()); n != 0 {
			t.Errorf("%s: batch has %d columns; on 18.16 it had none", q, n)
		}
		err = b.Append(int32(1), "x")
		if err == nil || !strings.Contains(err.Error(), "expected 0 arguments, got 2") {
			t.Errorf("%s: Append = %v, want 'expected 0 arguments, got 2'", q, err)
		}
		b.Abort()
	}
	// Column list errors come from PrepareBatch.
	for q, want := range map[string]string{
		"INSERT INTO " + db + ".t (a, nope)": "No such column nope",
		"INSERT INTO " + db + ".nope (a)":    "doesn't exist",
	} {
		if _, err := conn.PrepareBatch(ctx, q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
	// SETTINGS in a batch INSERT is a syntax error on 18.16.
	if _, err := conn.PrepareBatch(ctx, "INSERT INTO "+db+".t (a, b) SETTINGS max_insert_block_size = 100"); err == nil || !strings.Contains(err.Error(), "Syntax error") {
		t.Errorf("INSERT ... SETTINGS: %v, want a syntax error", err)
	}
}

// TestAppendRejections lists Go values Append refuses, and checks that one
// refused value invalidates the whole batch.
func TestAppendRejections(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	cases := []struct {
		typ     string
		value   any
		wantErr string
	}{
		{"UInt8", ptr(true), "converting *bool to UInt8 is unsupported"},
		{"Nullable(UInt8)", ptr(true), "converting *bool to UInt8 is unsupported"},
		{"Nullable(UInt8)", (*bool)(nil), "converting *bool to UInt8 is unsupported"},
		{"Decimal(18, 4)", 1.5, "converting float64 to Decimal(18, 4) is unsupported"},
		{"Decimal(18, 4)", decimal.RequireFromString("999999999999999.9999"), "overflows"},
		{"Enum8('Low' = 1)", uint8(1), "converting uint8 to Enum8 is unsupported"},
		{"Enum8('Low' = 1)", "Bogus", `unknown element "Bogus"`},
		{"UUID", [16]byte{}, "converting [16]uint8 to UUID is unsupported"},
		{"String", 5, "converting int to String is unsupported"},
	}
	for i, c := range cases {
		tbl := fmt.Sprintf("%s.t%d", db, i)
		exec(t, conn, fmt.Sprintf("CREATE TABLE %s (v %s) ENGINE = Memory", tbl, c.typ))
		b, err := conn.PrepareBatch(ctx, "INSERT INTO "+tbl+" (v)")
		if err != nil {
			t.Fatal(err)
		}
		err = b.Append(c.value)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s from %T: Append = %v, want %q", c.typ, c.value, err, c.wantErr)
		}
		b.Abort()
	}

	exec(t, conn, "CREATE TABLE "+db+".poison (a Int32) ENGINE = Memory")
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+db+".poison (a)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(int32(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Append("x"); err == nil {
		t.Fatal("Append of a string to Int32 succeeded")
	}
	if err := b.Append(int32(2)); !errors.Is(err, clickhouse.ErrBatchInvalid) {
		t.Errorf("Append after a failed Append = %v, want ErrBatchInvalid", err)
	}
	if err := b.Send(); !errors.Is(err, clickhouse.ErrBatchInvalid) {
		t.Errorf("Send after a failed Append = %v, want ErrBatchInvalid", err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+db+".poison").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows stored from a poisoned batch: %d (%v), want 0", n, err)
	}
}

// TestSilentConversions documents values that Append accepts and the
// server stores as something else without any error, as read back over
// native (scanned) and as text over HTTP.
func TestSilentConversions(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	utc := func(y int, m time.Month, d, h, mi, sec int) time.Time {
		return time.Date(y, m, d, h, mi, sec, 0, time.UTC)
	}
	cases := []struct {
		typ          string
		value        any
		native, text string
	}{
		// DateTime is UInt32 seconds: out-of-range times wrap modulo 2^32.
		{"DateTime('UTC')", utc(1969, 1, 1, 0, 0, 0), "2105-02-07 06:28:16", "2105-02-07 06:28:16"},
		{"DateTime('UTC')", utc(2106, 2, 8, 0, 0, 0), "1970-01-01 17:31:44", "1970-01-01 17:31:44"},
		{"DateTime('UTC')", time.Time{}, "1970-01-01 00:00:00", "0000-00-00 00:00:00"}, // epoch 0, printed as zeros
		{"DateTime('UTC')", nil, "1970-01-01 00:00:00", "0000-00-00 00:00:00"},
		{"DateTime('UTC')", time.Date(2024, 1, 2, 3, 4, 5, 999999999, time.UTC), "2024-01-02 03:04:05", "2024-01-02 03:04:05"},
		{"DateTime('UTC')", time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("X", -5*3600)), "2024-01-02 08:04:05", "2024-01-02 08:04:05"},
		// 18.16's date tables end in 2106: later values print wrongly.
		{"DateTime('UTC')", utc(2106, 2, 7, 6, 28, 15), "2106-02-07 06:28:15", "1970-01-01 06:28:15"},
		// Date is UInt16 days: out-of-range dates wrap modulo 2^16, and
		// days past the date tables print as 1970-01-01.
		{"Date", utc(1960, 1, 1, 0, 0, 0), "2139-06-07", "1970-01-01"},
		{"Date", utc(2200, 1, 1, 0, 0, 0), "2020-07-27", "2020-07-27"},
		{"Date", utc(2149, 6, 6, 0, 0, 0), "2149-06-06", "1970-01-01"},
		{"Date", utc(1970, 1, 1, 0, 0, 0), "1970-01-01", "0000-00-00"},
		{"Date", time.Date(2024, 1, 2, 23, 0, 0, 0, time.FixedZone("X", -5*3600)), "2024-01-02", "2024-01-02"},                // the date in the value's own zone
		{"Decimal(18, 4)", decimal.RequireFromString("1.23456"), "1.2345", "1.2345"},                                          // truncated, not rounded
		{"Decimal(18, 4)", decimal.RequireFromString("-0.00005"), "0", "0.0000"},                                              // truncated toward zero
		{"Decimal(18, 4)", decimal.RequireFromString("922337203685477.5807"), "922337203685477.5807", "922337203685477.5807"}, // 19 digits in Decimal(18, 4)
		{"Decimal(18, 4)", "1.5", "1.5", "1.5000"},
		{"String", nil, "", ""},
		{"UInt8", 300, "44", "44"}, // truncated to 8 bits
		{"Enum8('Low' = 1, 'High' = 3)", 1, "Low", "Low"},
	}
	for i, c := range cases {
		tbl := fmt.Sprintf("%s.t%d", db, i)
		exec(t, conn, fmt.Sprintf("CREATE TABLE %s (v %s) ENGINE = Memory", tbl, c.typ))
		b, err := conn.PrepareBatch(ctx, "INSERT INTO "+tbl+" (v)")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Append(c.value); err != nil {
			t.Errorf("%s from %T(%v): Append: %v", c.typ, c.value, c.value, err)
			b.Abort()
			continue
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
		var native string
		row := conn.QueryRow(ctx, "SELECT v FROM "+tbl)
		switch {
		case strings.HasPrefix(c.typ, "DateTime"), c.typ == "Date":
			var v time.Time
			err = row.Scan(&v)
			native = v.UTC().Format(time.DateTime)
			if c.typ == "Date" {
				native = v.Format(time.DateOnly)
			}
		case strings.HasPrefix(c.typ, "Decimal"):
			var v decimal.Decimal
			err = row.Scan(&v)
			native = v.String()
		case c.typ == "UInt8":
			var v uint8
			err = row.Scan(&v)
			native = fmt.Sprint(v)
		default:
			err = row.Scan(&native)
		}
		if err != nil {
			t.Fatal(err)
		}
		out, err := srv.Query(ctx, "SELECT v FROM "+tbl)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.TrimSuffix(out, "\n"); native != c.native || text != c.text {
			t.Errorf("%s from %T(%v): stored %q (text %q), want %q (text %q)", c.typ, c.value, c.value, native, text, c.native, c.text)
		}
	}
	// The server's own text parsing stops at 2105-12-31 too.
	out, err := srv.Query(ctx, "SELECT toDate('2105-12-31'), toDate('2106-01-01'), toDateTime('2106-01-01 00:00:00', 'UTC')")
	if err != nil {
		t.Fatal(err)
	}
	if out != "2105-12-31\t0000-00-00\t0000-00-00 00:00:00\n" {
		t.Errorf("parsing dates past 2105: %q", out)
	}
}

// TestScanNullable checks which destinations Scan accepts for NULL.
func TestScanNullable(t *testing.T) {
	srv := chserver.Shared(t)
	conn := openConn(t, srv, "default")
	ctx := testCtx(t)
	scan := func(query string, dest any) error {
		return conn.QueryRow(ctx, query).Scan(dest)
	}
	const nullStr = "SELECT CAST(NULL AS Nullable(String))"
	if err := scan(nullStr, new(string)); err == nil || !strings.Contains(err.Error(), "converting NULL to *string is unsupported") {
		t.Errorf("NULL into *string: %v", err)
	}
	var ps *string = ptr("stale")
	if err := scan(nullStr, &ps); err != nil || ps != nil {
		t.Errorf("NULL into **string: %v, %v", ps, err)
	}
	ns := sql.Null[string]{V: "stale", Valid: true}
	if err := scan(nullStr, &ns); err != nil || ns.Valid || ns.V != "" {
		t.Errorf("NULL into sql.Null[string]: %+v, %v", ns, err)
	}
	var nt sql.NullTime
	if err := scan("SELECT CAST(NULL AS Nullable(DateTime('UTC')))", &nt); err != nil || nt.Valid {
		t.Errorf("NULL into sql.NullTime: %+v, %v", nt, err)
	}
	var nd decimal.NullDecimal
	if err := scan("SELECT CAST(NULL AS Nullable(Decimal(18, 4)))", &nd); err != nil || nd.Valid {
		t.Errorf("NULL into decimal.NullDecimal: %+v, %v", nd, err)
	}
	// A NULL scanned into a plain uuid.UUID is no error and leaves the
	// destination as it was.
	u := uuid.New()
	before := u
	if err := scan("SELECT CAST(NULL AS Nullable(UUID))", &u); err != nil || u != before {
		t.Errorf("NULL into uuid.UUID: %v, %v (v2.51.0 left it unchanged with no error)", u, err)
	}
	// UInt8 scans into bool, but Nullable(UInt8) does not scan into **bool.
	var b bool
	if err := scan("SELECT toUInt8(1)", &b); err != nil || !b {
		t.Errorf("UInt8 into bool: %v, %v", b, err)
	}
	var pb *bool
	if err := scan("SELECT CAST(1 AS Nullable(UInt8))", &pb); err == nil {
		t.Errorf("Nullable(UInt8) into **bool succeeded; it failed on v2.51.0")
	}
	nb := sql.Null[bool]{}
	if err := scan("SELECT CAST(1 AS Nullable(UInt8))", &nb); err != nil || !nb.Valid || !nb.V {
		t.Errorf("Nullable(UInt8) into sql.Null[bool]: %+v, %v", nb, err)
	}
	// Integer widths must match exactly.
	if err := scan("SELECT toInt32(1)", new(int64)); err == nil {
		t.Error("Int32 into *int64 succeeded; it failed on v2.51.0")
	}
	// Enum8 scans as its name, or as int8 for its value.
	var e8 int8
	if err := scan("SELECT CAST('High' AS Enum8('Low' = 1, 'High' = 3))", &e8); err != nil || e8 != 3 {
		t.Errorf("Enum8 into int8: %d, %v", e8, err)
	}
	// DateTime without a time zone is in the server's zone (Etc/UTC here);
	// DateTime('UTC') is in time.UTC.
	var t1, t2 time.Time
	if err := conn.QueryRow(ctx, "SELECT toDateTime(0), toDateTime(0, 'UTC')").Scan(&t1, &t2); err != nil {
		t.Fatal(err)
	}
	if t1.Location().String() != "Etc/UTC" || t2.Location() != time.UTC {
		t.Errorf("locations: DateTime %q, DateTime('UTC') %q", t1.Location(), t2.Location())
	}
}

// TestExecInsertValuesHangs documents that an INSERT with inline VALUES
// sent with Exec never completes on 18.16: the server waits for data
// blocks the driver does not send, until the context or ReadTimeout
// (300 s by default) ends it. INSERT ... SELECT works.
func TestExecInsertValuesHangs(t *testing.T) {
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	exec(t, conn, "CREATE TABLE "+db+".t (a Int32) ENGINE = MergeTree ORDER BY a")
	exec(t, conn, "INSERT INTO "+db+".t SELECT toInt32(number) FROM system.numbers LIMIT 3")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := conn.Exec(ctx, "INSERT INTO "+db+".t VALUES (10)")
	if err == nil {
		t.Fatal("Exec INSERT ... VALUES completed; on 18.16 it hung until the deadline")
	}
	t.Logf("Exec INSERT VALUES after %v: %v", time.Since(start), err)
	out, qerr := srv.Query(context.Background(), "SELECT count() FROM "+db+".t")
	if qerr != nil || out != "3\n" {
		t.Errorf("rows = %q (%v), want 3", out, qerr)
	}
}

// TestConnectionOptions checks settings, compression and users.
func TestConnectionOptions(t *testing.T) {
	srv := chserver.Shared(t)
	ctx := testCtx(t)
	conn := openConn(t, srv, "default")
	withSettings := func(s clickhouse.Settings) error {
		return conn.QueryRow(clickhouse.Context(ctx, clickhouse.WithSettings(s)), "SELECT 1").Scan(new(uint8))
	}
	if err := withSettings(clickhouse.Settings{"max_execution_time": 60, "max_threads": 1, "insert_deduplicate": true}); err != nil {
		t.Errorf("int and bool settings: %v", err)
	}
	// Before revision 54429 settings travel as integers: the driver
	// refuses string values itself.
	if err := withSettings(clickhouse.Settings{"date_time_input_format": "best_effort"}); err == nil || !strings.Contains(err.Error(), "unsupported data type") {
		t.Errorf("string setting: %v", err)
	}
	if err := withSettings(clickhouse.Settings{"async_insert": 1}); err == nil || !strings.Contains(err.Error(), "Unknown setting async_insert") {
		t.Errorf("newer setting: %v", err)
	}
	// Server-side query parameters do not exist; the driver's client-side
	// binding of ? and @name does.
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.one WHERE dummy = ? AND 'a' = ?", 0, "a").Scan(&n); err != nil || n != 1 {
		t.Errorf("client-side ? binding: %d, %v", n, err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.one WHERE 'it''s' = @s", clickhouse.Named("s", "it's")).Scan(&n); err != nil || n != 1 {
		t.Errorf("client-side @name binding: %d, %v", n, err)
	}
	if err := conn.QueryRow(ctx, "SELECT {p:String}", clickhouse.Named("p", "x")).Scan(new(string)); err == nil || !strings.Contains(err.Error(), "Syntax error") {
		t.Errorf("{p:String} parameter: %v", err)
	}

	for _, suffix := range []string{"?compress=lz4", "?compress=zstd", "?compress=none", "?dial_timeout=5s&read_timeout=30s&max_execution_time=60"} {
		opts, err := clickhouse.ParseDSN(srv.NativeDSNFor("", "", "default") + suffix)
		if err != nil {
			t.Fatal(err)
		}
		c, err := clickhouse.Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		var s string
		if err := c.QueryRow(ctx, "SELECT toString(sum(number)) FROM numbers(100000)").Scan(&s); err != nil || s != "4999950000" {
			t.Errorf("DSN%s: %q, %v", suffix, s, err)
		}
		c.Close()
	}

	const wrong = "wrong-Pw-81x"
	for _, c := range []struct{ dsn, wantErr string }{
		{srv.NativeDSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default"), ""},
		{srv.NativeDSNFor(chserver.LoaderUser, wrong, "default"), "code: 193, message: Wrong password for user loader"},
		{srv.NativeDSNFor(chserver.LoaderUser, "", "default"), "code: 194, message: Password required for user loader"},
		{srv.NativeDSNFor("nobody", wrong, "default"), "code: 192, message: Unknown user nobody"},
		{srv.NativeDSNFor("", "", "no_such_db"), "code: 81, message: Database no_such_db doesn't exist"},
	} {
		opts, err := clickhouse.ParseDSN(c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		cn, err := clickhouse.Open(opts)
		if err == nil {
			err = cn.Ping(ctx)
			cn.Close()
		}
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.dsn, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: %v, want %q", c.dsn, err, c.wantErr)
		case err != nil && (strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), chserver.LoaderPassword)):
			t.Errorf("error repeats the password: %v", err)
		}
	}

	// database/sql works too: Prepare + Exec per row + Commit is a batch.
	db, err := sql.Open("clickhouse", srv.NativeDSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, "SELECT count() FROM system.one").Scan(&n); err != nil || n != 1 {
		t.Errorf("database/sql query: %d, %v", n, err)
	}
}

// wideColumns is a 43-column SCD-like table for the throughput check.
func wideColumns() (defs, names []string) {
	add := func(name, typ string) {
		defs = append(defs, name+" "+typ)
		names = append(names, name)
	}
	add("id", "Int64")
	add("effective_start_date", "DateTime('UTC')")
	for i := range 10 {
		add(fmt.Sprintf("s%d", i), "String")
	}
	for i := range 5 {
		add(fmt.Sprintf("ns%d", i), "Nullable(String)")
	}
	for i := range 4 {
		add(fmt.Sprintf("i%d", i), "Int64")
	}
	for i := range 4 {
		add(fmt.Sprintf("f%d", i), "Float64")
	}
	for i := range 3 {
		add(fmt.Sprintf("d%d", i), "Decimal(18, 4)")
	}
	add("nd", "Nullable(Decimal(18, 4))")
	add("dt", "DateTime('UTC')")
	add("ndt", "Nullable(DateTime('UTC'))")
	add("dd", "Date")
	add("en", "Nullable(Enum8('Low' = 1, 'Medium' = 2, 'High' = 3))")
	add("u", "UUID")
	add("nu", "Nullable(UUID)")
	add("b", "UInt8")
	add("nb", "Nullable(UInt8)")
	add("i32", "Int32")
	add("effective_end_date", "Nullable(DateTime('UTC'))")
	add("is_current", "UInt8")
	add("created_at", "DateTime('UTC')")
	add("updated_at", "DateTime('UTC')")
	add("record_hash", "String")
	return defs, names
}

// insertWide inserts rows rows into table in batches of batchSize and
// returns the time taken.
func insertWide(tb testing.TB, conn driver.Conn, table string, names []string, rows, batchSize int) time.Duration {
	tb.Helper()
	ctx := testCtx(tb)
	now := time.Now().UTC().Truncate(time.Second)
	u := uuid.New()
	dec := decimal.RequireFromString("1234.5678")
	hash := strings.Repeat("0123456789abcdef", 4)
	query := fmt.Sprintf("INSERT INTO %s (%s)", table, strings.Join(names, ", "))
	row := make([]any, 0, len(names))
	start := time.Now()
	for done := 0; done < rows; {
		b, err := conn.PrepareBatch(ctx, query)
		if err != nil {
			tb.Fatal(err)
		}
		for r := 0; r < batchSize && done < rows; r, done = r+1, done+1 {
			row = row[:0]
			row = append(row, int64(done), now)
			for i := range 10 {
				row = append(row, fmt.Sprintf("string value %d col %d", done, i))
			}
			for range 5 {
				if done%3 == 0 {
					row = append(row, nil)
				} else {
					row = append(row, "nullable")
				}
			}
			for i := range 4 {
				row = append(row, int64(done*i))
			}
			for range 4 {
				row = append(row, float64(done)*1.5)
			}
			row = append(row, dec, dec, dec, &dec, now, &now, now, "Medium", u, &u, true, nil, int32(done),
				nil, true, now, now, hash)
			if err := b.Append(row...); err != nil {
				tb.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			tb.Fatal(err)
		}
	}
	return time.Since(start)
}

// TestBatchInsert50k inserts 50,000 rows of 43 columns in one batch.
func TestBatchInsert50k(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 50,000 rows")
	}
	srv := chserver.Shared(t)
	db := srv.TempDatabase(t)
	conn := openConn(t, srv, "default")
	defs, names := wideColumns()
	exec(t, conn, fmt.Sprintf("CREATE TABLE %s.wide (%s) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (id, effective_start_date)", db, strings.Join(defs, ", ")))
	const rows = 50000
	el := insertWide(t, conn, db+".wide", names, rows, rows)
	t.Logf("%d rows x %d columns in one batch: %v (%.0f rows/s)", rows, len(names), el, rows/el.Seconds())
	var n uint64
	if err := conn.QueryRow(testCtx(t), "SELECT count() FROM "+db+".wide").Scan(&n); err != nil || n != rows {
		t.Errorf("count = %d (%v), want %d", n, err, rows)
	}
}

// BenchmarkBatchInsert inserts 100,000 rows of 43 columns per iteration
// in batches of 10k, 50k and 100k rows.
func BenchmarkBatchInsert(b *testing.B) {
	srv := chserver.Shared(b)
	conn := openConn(b, srv, "default")
	defs, names := wideColumns()
	for _, size := range []int{10000, 50000, 100000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			const rows = 100000
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				table := fmt.Sprintf("default.bench_%d_%d", size, i)
				if err := conn.Exec(testCtx(b), fmt.Sprintf("CREATE TABLE %s (%s) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (id, effective_start_date)", table, strings.Join(defs, ", "))); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				total += insertWide(b, conn, table, names, rows, size)
				b.StopTimer()
				if err := conn.Exec(testCtx(b), "DROP TABLE "+table); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/total.Seconds(), "rows/s")
		})
	}
}
