package warehouse

import (
	"context"
	"errors"
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

	smu   sync.Mutex // guards sconn
	sconn *chdb.Conn // the connection of insert streams, opened on first use
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

// insertSettings skip the merge ClickHouse runs on each inserted block by
// default (optimize_on_insert): a loader INSERT never holds two rows of one
// sorting key, (key, effective_start_date), so it has nothing to collapse,
// and the pass costs about a quarter of the engine's time for the INSERT
// (measured on tickets, 100k rows). ClickHouse 18.16 has no such setting.
const insertSettings = "optimize_on_insert = 0"

// insertPrefix is an INSERT statement up to its FORMAT clause, with
// settings.
func insertPrefix(db, tbl string, columns []string, settings string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = QuoteIdent(c)
	}
	return "INSERT INTO " + qualified(db, tbl) + " (" + strings.Join(quoted, ", ") + ") SETTINGS " + settings + " FORMAT RowBinary"
}

func (e *embedded) Insert(ctx context.Context, db, tbl string, columns []string, rows Rows) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rows.Len() == 0 {
		return nil
	}
	prefix := insertPrefix(db, tbl, columns, insertSettings)
	e.mu.Lock()
	defer e.mu.Unlock()
	var data []byte
	data, e.buf = encodeRows(e.buf, rows)
	return e.conn.Insert(prefix, data)
}

// encodeRows returns rows in RowBinary, in buf's memory when it has room,
// and the buffer to keep for the next batch: none past 256 MiB, so that
// one huge batch does not pin its buffer for the rest of the run.
func encodeRows(buf []byte, rows Rows) (data, keep []byte) {
	data = buf[:0]
	for i := range rows.Len() {
		data = rows.AppendRowBinary(data, i)
	}
	if cap(data) > 256<<20 {
		return data, nil
	}
	return data, data
}

// BeginInsert opens an insert stream on a connection of its own, so that
// statements and inserts on conn go on beside it.
func (e *embedded) BeginInsert(ctx context.Context, db, tbl string, columns []string) (InsertStream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.smu.Lock()
	defer e.smu.Unlock()
	if e.sconn == nil {
		c, err := chdb.Open(e.conn.Dir())
		if err != nil {
			return nil, fmt.Errorf("embedded ClickHouse: %w", err)
		}
		e.sconn = c
	}
	// Blocks of StreamBlockRows: the engine parses the stream into blocks
	// of max_insert_block_size rows and would squash them up to
	// min_insert_block_size_rows before writing a part.
	settings := fmt.Sprintf("%s, max_insert_block_size = %d, min_insert_block_size_rows = %d", insertSettings, StreamBlockRows, StreamBlockRows)
	st, err := e.sconn.BeginInsert(insertPrefix(db, tbl, columns, settings))
	if err != nil {
		return nil, err
	}
	return &embeddedStream{st: st}, nil
}

// embeddedStream is an open chDB insert stream.
type embeddedStream struct {
	st  *chdb.InsertStream
	buf []byte // reused RowBinary buffer
}

func (s *embeddedStream) Write(ctx context.Context, rows Rows) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var data []byte
	data, s.buf = encodeRows(s.buf, rows)
	_, err := s.st.Write(data)
	return err
}

func (s *embeddedStream) Commit() error { return s.st.Commit() }
func (s *embeddedStream) Abort()        { s.st.Abort() }

func (e *embedded) Close() error {
	var serr error
	e.smu.Lock()
	if e.sconn != nil {
		serr = e.sconn.Close()
		e.sconn = nil
	}
	e.smu.Unlock()
	qerr := e.qconn.Close()
	return errors.Join(e.conn.Close(), qerr, serr)
}
