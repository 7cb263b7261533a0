package warehouse_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// seqRows are the rows 0..n-1 of a one-column Int64 table.
type seqRows int

func (n seqRows) Len() int { return int(n) }
func (n seqRows) AppendRowBinary(dst []byte, i int) []byte {
	return rowbinary.AppendInt64(dst, int64(i))
}

// queryInt64 runs a query of one Int64 value and returns it.
func queryInt64(tb testing.TB, e warehouse.Engine, q string) int64 {
	tb.Helper()
	var n int64
	if err := e.Query(context.Background(), q, func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		n = r.Int64()
		return r.Offset(), r.Err()
	}); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestServerInsertIsOnePart inserts more rows than ClickHouse's default
// max_insert_block_size (1048576) in one Insert through the HTTP interface
// and checks that they were written as one part: the only active part is
// all_1_1_0 (block 1, never merged), so they commit together.
func TestServerInsertIsOnePart(t *testing.T) {
	tg := wt.Server(t)
	ctx := context.Background()
	db := wt.Database(t)
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		t.Fatal(err)
	}
	defer tg.Engine.Exec(ctx, "DROP DATABASE IF EXISTS "+warehouse.QuoteIdent(db))
	if err := tg.Engine.ApplyDDL(ctx, db, "CREATE TABLE seq (k Int64) ENGINE = MergeTree ORDER BY k;\n"); err != nil {
		t.Fatal(err)
	}
	const n = 1_100_000
	if err := tg.Engine.Insert(ctx, db, "seq", []string{"k"}, seqRows(n)); err != nil {
		t.Fatal(err)
	}
	var parts []string
	var r rowbinary.Reader
	err := tg.Engine.Query(ctx, "SELECT name, toInt64(rows) FROM system.parts WHERE active AND database = "+
		warehouse.QuoteString(db)+" AND table = 'seq'", func(src []byte) (int, error) {
		r.Reset(src)
		name, rows := r.String(), r.Int64()
		parts = append(parts, name+" "+strconv.FormatInt(rows, 10))
		return r.Offset(), r.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "all_1_1_0 " + strconv.Itoa(n); len(parts) != 1 || parts[0] != want {
		t.Fatalf("parts after one Insert of %d rows: %q, want [%q]", n, parts, want)
	}
}

// TestServerHTTPErrors checks what the HTTP interface's failures say: a
// missing or bad http_port, an unreachable one and a failed INSERT are errors that
// name what failed, and never the password.
func TestServerHTTPErrors(t *testing.T) {
	tg := wt.Server(t)
	ctx := context.Background()
	native := tg.Server.NativeDSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default")
	noPassword := func(t *testing.T, err error) {
		t.Helper()
		t.Log(err)
		if strings.Contains(err.Error(), chserver.LoaderPassword) {
			t.Fatalf("error shows the password: %v", err)
		}
	}

	// The private server's native port is not 9000: no HTTP port follows.
	_, err := warehouse.OpenServer(ctx, native)
	if err == nil || !strings.Contains(err.Error(), "cannot be derived from native port") ||
		!strings.Contains(err.Error(), "add http_port=PORT to the DSN") {
		t.Fatalf("no http_port: %v", err)
	}
	noPassword(t, err)

	_, err = warehouse.OpenServer(ctx, native+"?http_port=http")
	if err == nil || !strings.Contains(err.Error(), `http_port="http" is not a port number`) {
		t.Fatalf("http_port=http: %v", err)
	}
	noPassword(t, err)

	// A port where nothing listens: the native side is fine, the HTTP
	// interface is not.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	_, err = warehouse.OpenServer(ctx, native+"?http_port="+closed)
	if err == nil || !strings.Contains(err.Error(), "HTTP interface") || !strings.Contains(err.Error(), "http_port") ||
		!strings.Contains(err.Error(), "xxxxx") {
		t.Fatalf("http_port where nothing listens: %v", err)
	}
	noPassword(t, err)

	// The native port speaks no HTTP.
	_, nativePort, _ := net.SplitHostPort(tg.Server.NativeAddr)
	if _, err = warehouse.OpenServer(ctx, native+"?http_port="+nativePort); err == nil {
		t.Fatal("http_port naming the native port: OpenServer succeeded")
	}
	noPassword(t, err)

	err = tg.Engine.Insert(ctx, "default", "no_such_table", []string{"k"}, seqRows(3))
	if err == nil || !strings.Contains(err.Error(), "inserting into default.no_such_table") ||
		!strings.Contains(err.Error(), "doesn't exist") {
		t.Fatalf("insert into a missing table: %v", err)
	}
	noPassword(t, err)
}
