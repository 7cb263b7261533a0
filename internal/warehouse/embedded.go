package warehouse

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/canonic-data/canonic/internal/chdb"
)

// embedded is the chDB engine: ClickHouse in this process.
//
// It holds two connections to the engine: conn runs statements and
// inserts, qconn runs queries, so that the loader reads the next batch's
// current versions while an INSERT runs (a connection runs one statement
// at a time).
type embedded struct {
	conn  *chdb.Conn
	qconn *chdb.Conn
	mu    sync.Mutex // guards buf
	buf   []byte     // reused RowBinary insert buffer
}

// OpenEmbedded opens (creating if needed) an embedded ClickHouse engine
// with its data in dataDir. The chDB library is loaded only here; when it
// is missing, the error says how to install it (make chdb, or point
// CHDB_LIB_PATH at libchdb.so).
func OpenEmbedded(dataDir string) (Engine, error) {
	conn, err := OpenChDB(dataDir, "load into")
	if err != nil {
		return nil, err
	}
	qconn, err := chdb.Open(dataDir)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("embedded ClickHouse: %w", err)
	}
	return &embedded{conn: conn, qconn: qconn}, nil
}

// OpenChDB opens a chDB connection on dataDir. When the library is
// missing, the error says how to install it, or to <verb> a server with
// --clickhouse instead.
func OpenChDB(dataDir, verb string) (*chdb.Conn, error) {
	if _, err := chdb.FindLibrary(); err != nil {
		return nil, fmt.Errorf("embedded ClickHouse unavailable: %w (or %s a server with --clickhouse DSN)", err, verb)
	}
	conn, err := chdb.Open(dataDir)
	if err != nil {
		return nil, fmt.Errorf("embedded ClickHouse: %w", err)
	}
	return conn, nil
}

func (e *embedded) Kind() string   { return KindEmbedded }
func (e *embedded) String() string { return "embedded ClickHouse (chDB) in " + e.conn.Dir() }

func (e *embedded) Exec(ctx context.Context, query string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.conn.Exec(query)
}

// ApplyDDL selects db with USE (chDB keeps it for the connection), runs
// the statements and selects default again.
func (e *embedded) ApplyDDL(ctx context.Context, db, ddl string) error {
	if err := ValidDatabase(db); err != nil {
		return err
	}
	if err := e.Exec(ctx, "USE "+QuoteIdent(db)); err != nil {
		return err
	}
	defer e.conn.Exec("USE default") //nolint:errcheck // every other statement qualifies its names
	for _, stmt := range SplitStatements(ddl) {
		if err := e.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("applying DDL in %s: %w", db, err)
		}
	}
	return nil
}

func (e *embedded) Query(ctx context.Context, query string, fn func(src []byte) (int, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	out, err := e.qconn.Query(query, "RowBinary")
	if err != nil {
		return err
	}
	for off, row := 0, 0; off < len(out); row++ {
		if row%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n, err := fn(out[off:])
		if err != nil {
			return err
		}
		if n <= 0 {
			return fmt.Errorf("reading query result: a row took %d bytes", n)
		}
		off += n
	}
	return nil
}

func (e *embedded) Insert(ctx context.Context, db, tbl string, columns []string, rows Rows) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rows.Len() == 0 {
		return nil
	}
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = QuoteIdent(c)
	}
	prefix := "INSERT INTO " + qualified(db, tbl) + " (" + strings.Join(quoted, ", ") + ") FORMAT RowBinary"
	e.mu.Lock()
	defer e.mu.Unlock()
	buf := e.buf[:0]
	for i := range rows.Len() {
		buf = rows.AppendRowBinary(buf, i)
	}
	e.buf = buf
	if cap(e.buf) > 256<<20 {
		e.buf = nil // do not pin a huge buffer between batches
	}
	return e.conn.Insert(prefix, buf)
}

func (e *embedded) Close() error {
	qerr := e.qconn.Close()
	if err := e.conn.Close(); err != nil {
		return err
	}
	return qerr
}
