package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/chdb"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
)

// Engine kinds, also the subtest names.
const (
	kindEmbedded = "embedded"
	kindServer   = "server"
)

// target is one engine the binary loads into, and the test's own way of
// reading it: chDB opened in this process on the binary's data directory
// (only while no binary runs: chDB allows one process per directory), or
// the server's HTTP interface.
type target struct {
	kind    string
	dataDir string           // embedded: the binary's --data-dir
	srv     *chserver.Server // server
	dsn     string           // server: the binary's --clickhouse (loader user, with password)
	workDir string           // the binary's working directory (server rejects land there)
	conn    *chdb.Conn       // embedded: open between runs of the binary
}

// skipOrFail skips the test when an engine is missing, or fails it with
// CI=true (the pattern of internal/warehouse/warehousetest).
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}

// bothEngines runs fn as the subtests "embedded" and "server".
func bothEngines(t *testing.T, fn func(t *testing.T, tg *target)) {
	t.Run(kindEmbedded, func(t *testing.T) { fn(t, embeddedTarget(t)) })
	t.Run(kindServer, func(t *testing.T) { fn(t, serverTarget(t)) })
}

// embeddedTarget is a fresh chDB data directory for one test.
func embeddedTarget(t testing.TB) *target {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test of the embedded engine (-short)")
	}
	if _, err := chdb.FindLibrary(); err != nil {
		skipOrFail(t, err)
	}
	tg := &target{kind: kindEmbedded, dataDir: t.TempDir(), workDir: t.TempDir()}
	t.Cleanup(tg.release) // before the directories are removed
	return tg
}

// serverTarget is the shared private ClickHouse server.
func serverTarget(t testing.TB) *target {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test of the server engine (-short)")
	}
	srv := chserver.Shared(t)
	return &target{kind: kindServer, srv: srv, dsn: srv.DSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default"), workDir: t.TempDir()}
}

// flags selects the engine on the binary's command line.
func (tg *target) flags() []string {
	if tg.kind == kindServer {
		return []string{"--clickhouse", tg.dsn}
	}
	return []string{"--data-dir", tg.dataDir}
}

// release closes this process's chDB connection, so that the binary can
// open the data directory.
func (tg *target) release() {
	if tg.conn != nil {
		tg.conn.Close()
		tg.conn = nil
	}
}

var tenantSeq atomic.Int64
var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// tenant returns a fresh tenant (database) name; on the server the
// database is dropped when the test ends.
func (tg *target) tenant(t testing.TB, what string) string {
	name := fmt.Sprintf("e2e%d_%s", tenantSeq.Add(1), strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(what), "_"), "_"))
	if tg.kind == kindServer {
		t.Cleanup(func() {
			if tg.srv.Running() {
				tg.srv.Query(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`") //nolint:errcheck // best effort
			}
		})
	}
	return name
}

// row is one result row: column -> value as text, nil for NULL (JSON
// strings as they are, numbers as printed). Both engines print DateTime
// as "YYYY-MM-DD hh:mm:ss" and enums by name. (toString is not used: on
// 18.16 it fails on a NULL of a Nullable(Enum8).)
type row map[string]*string

// str returns a value for messages.
func str(v *string) string {
	if v == nil {
		return "NULL"
	}
	return strconv.Quote(*v)
}

func (r row) get(col string) string { return str(r[col]) }

// query runs a SELECT and returns its rows (JSONEachRow). Column aliases
// starting with "v_" lose that prefix, so queries can alias toString(x)
// as v_x without the alias shadowing x in WHERE and ORDER BY.
func (tg *target) query(t testing.TB, q string) []row {
	t.Helper()
	var out []byte
	switch tg.kind {
	case kindEmbedded:
		if tg.conn == nil {
			c, err := chdb.Open(tg.dataDir)
			if err != nil {
				t.Fatalf("opening the binary's chDB directory: %v", err)
			}
			tg.conn = c
		}
		var err error
		if out, err = tg.conn.Query(q, "JSONEachRow"); err != nil {
			t.Fatalf("%s\n%v", q, err)
		}
	default:
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := tg.srv.Query(ctx, q+"\nFORMAT JSONEachRow")
		if err != nil {
			t.Fatalf("%s\n%v", q, err)
		}
		out = []byte(s)
	}
	var rows []row
	for _, line := range bytes.Split(out, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s\nresult line %q: %v", q, line, err)
		}
		r := row{}
		for k, v := range m {
			k = strings.TrimPrefix(k, "v_")
			switch v := v.(type) {
			case nil:
				r[k] = nil
			case string:
				r[k] = &v
			case json.Number:
				s := v.String()
				r[k] = &s
			default:
				s := fmt.Sprint(v)
				r[k] = &s
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// exec runs a statement.
func (tg *target) exec(t testing.TB, stmt string) {
	t.Helper()
	switch tg.kind {
	case kindEmbedded:
		if tg.conn == nil {
			c, err := chdb.Open(tg.dataDir)
			if err != nil {
				t.Fatalf("opening the binary's chDB directory: %v", err)
			}
			tg.conn = c
		}
		if err := tg.conn.Exec(stmt); err != nil {
			t.Fatalf("%s\n%v", stmt, err)
		}
	default:
		if _, err := tg.srv.Query(context.Background(), stmt); err != nil {
			t.Fatalf("%s\n%v", stmt, err)
		}
	}
}

// count runs a query selecting one number as v_n.
func (tg *target) count(t testing.TB, q string) int64 {
	t.Helper()
	rows := tg.query(t, q)
	if len(rows) != 1 || rows[0]["n"] == nil {
		t.Fatalf("%s: want one row with n, got %v", q, rows)
	}
	n, err := strconv.ParseInt(*rows[0]["n"], 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// tbl is the quoted tickets table of a tenant.
func tbl(db string) string { return "`" + db + "`.tickets" }

// countRows counts db.tickets' rows, with or without FINAL.
func (tg *target) countRows(t testing.TB, db string, final bool) int64 {
	t.Helper()
	f := ""
	if final {
		f = " FINAL"
	}
	return tg.count(t, "SELECT toString(count()) AS v_n FROM "+tbl(db)+f)
}

// versions reads every column of db.tickets (FINAL) as text, by key and
// start; where ("" for none) filters.
func (tg *target) versions(t testing.TB, db, where string) []row {
	t.Helper()
	return tg.selectRows(t, "FROM "+tbl(db)+" FINAL", where, allColumns)
}

// current reads every column of the current view.
func (tg *target) current(t testing.TB, db string) []row {
	t.Helper()
	return tg.selectRows(t, "FROM `"+db+"`.tickets_current", "", allColumns)
}

func (tg *target) selectRows(t testing.TB, from, where string, cols []string) []row {
	t.Helper()
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "`" + c + "`"
	}
	q := "SELECT " + strings.Join(sel, ", ") + " " + from
	if where != "" {
		q += " WHERE " + where
	}
	return tg.query(t, q+" ORDER BY id, effective_start_date")
}
