package query_test

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/query"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

// target returns options reaching tg's engine and a tenant database holding
// table t with two rows.
func target(t *testing.T, tg wt.Target) (query.Options, string) {
	t.Helper()
	ctx := context.Background()
	db := wt.Database(t)
	for _, stmt := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".t (id Int32, name String, note Nullable(String)) ENGINE = MergeTree() ORDER BY id",
		"INSERT INTO " + db + ".t SELECT toInt32(number + 1), concat('n', toString(number)), if(number = 0, NULL, 'x') FROM system.numbers LIMIT 2",
	} {
		if err := tg.Engine.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if tg.Kind == "embedded" {
		return query.Options{DataDir: tg.DataDir}, db
	}
	_, port, err := net.SplitHostPort(tg.Server.HTTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	// The backfill's native DSN, with the HTTP port given.
	return query.Options{DSN: tg.DSN, HTTPPort: p}, db
}

// TestFormats runs one query in each kind of output on both engines, with
// the tenant's database selected so the table is named unqualified.
func TestFormats(t *testing.T) {
	const sql = "SELECT id, name, note FROM t ORDER BY id"
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		opts, db := target(t, tg)
		opts.Database = db
		for _, c := range []struct{ format, want string }{
			{"", "1\tn0\t\\N\n2\tn1\tx\n"},
			{"TabSeparated", "1\tn0\t\\N\n2\tn1\tx\n"},
			{"CSV", "1,\"n0\",\\N\n2,\"n1\",\"x\"\n"},
			{"JSONEachRow", "{\"id\":1,\"name\":\"n0\",\"note\":null}\n{\"id\":2,\"name\":\"n1\",\"note\":\"x\"}\n"},
			{query.TableFormat, " id | name | note\n----+------+------\n  1 | n0   | NULL\n  2 | n1   | x\n(2 rows)\n"},
		} {
			o := opts
			o.Format = c.format
			var out bytes.Buffer
			if err := query.Run(context.Background(), o, sql, &out); err != nil {
				t.Fatalf("format %q: %v", c.format, err)
			}
			if out.String() != c.want {
				t.Errorf("format %q:\n%q\nwant\n%q", c.format, out.String(), c.want)
			}
		}
		// A FORMAT clause in the SQL wins over the option.
		o := opts
		o.Format = "CSV"
		var out bytes.Buffer
		if err := query.Run(context.Background(), o, "SELECT id FROM t ORDER BY id FORMAT JSONEachRow", &out); err != nil {
			t.Fatal(err)
		}
		if out.String() != "{\"id\":1}\n{\"id\":2}\n" {
			t.Errorf("FORMAT clause: got %q", out.String())
		}
		// Also over the table, which needs a format of its own.
		out.Reset()
		o.Format = query.TableFormat
		if err := query.Run(context.Background(), o, "SELECT id FROM t ORDER BY id FORMAT JSONEachRow", &out); err != nil || out.String() != "{\"id\":1}\n{\"id\":2}\n" {
			t.Errorf("FORMAT clause over the table: %q, %v", out.String(), err)
		}
		// Vertical is plain text, without terminal colours.
		out.Reset()
		o.Format = "Vertical"
		if err := query.Run(context.Background(), o, "SELECT id, name FROM t ORDER BY id LIMIT 1", &out); err != nil ||
			!strings.Contains(out.String(), "name: n0") || strings.Contains(out.String(), "\x1b") {
			t.Errorf("Vertical: %q, %v", out.String(), err)
		}
		o.Format = "Parquet"
		out.Reset()
		err := query.Run(context.Background(), o, sql, &out)
		if tg.Kind == "server" {
			// Formats are the engine's own: 18.16 predates Parquet (19.x), and
			// says so.
			if err == nil || !strings.Contains(err.Error(), "Unknown format Parquet") {
				t.Errorf("Parquet on 18.16: %v, want the server's unknown format error", err)
			}
			o.Format = "RowBinary"
			out.Reset()
			if err := query.Run(context.Background(), o, "SELECT id FROM t ORDER BY id", &out); err != nil || out.String() != "\x01\x00\x00\x00\x02\x00\x00\x00" {
				t.Errorf("RowBinary: %q, %v", out.String(), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Parquet: %v", err)
		}
		if b := out.Bytes(); len(b) < 8 || string(b[:4]) != "PAR1" || string(b[len(b)-4:]) != "PAR1" {
			t.Errorf("Parquet output is not a Parquet file: %d bytes starting %q", len(b), b[:min(len(b), 8)])
		}
	})
}

// TestErrors: an unknown table names the tenant databases; a wrong
// password never shows; the embedded engine refuses a missing directory.
func TestErrors(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		opts, db := target(t, tg)
		var out bytes.Buffer
		err := query.Run(context.Background(), opts, "SELECT count() FROM t", &out)
		if err == nil || !strings.Contains(err.Error(), "no database selected (--tenant)") || !strings.Contains(err.Error(), db) {
			t.Errorf("unknown table without a tenant: %v; want the tenant databases, %s among them", err, db)
		}
		if tg.Kind != "server" {
			return
		}
		bad := opts
		bad.DSN = strings.Replace(tg.DSN, chserver.LoaderPassword, "Wr0ngPassw0rd", 1)
		err = query.Run(context.Background(), bad, "SELECT 1", &out)
		if err == nil || strings.Contains(err.Error(), "Wr0ngPassw0rd") {
			t.Errorf("wrong password: %v", err)
		}
		// An http:// DSN names the HTTP interface itself.
		httpOpts := query.Options{DSN: "http://" + chserver.LoaderUser + ":" + chserver.LoaderPassword + "@" + tg.Server.HTTPAddr + "/" + db}
		out.Reset()
		if err := query.Run(context.Background(), httpOpts, "SELECT count() FROM t", &out); err != nil || out.String() != "2\n" {
			t.Errorf("http DSN with the database in its path: %q, %v", out.String(), err)
		}
	})
	err := query.Run(context.Background(), query.Options{DataDir: t.TempDir() + "/missing"}, "SELECT 1", &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "does not exist: run a backfill into it first") {
		t.Errorf("missing data directory: %v", err)
	}
}
