package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/canonic-data/canonic/internal/chdb"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// embedded runs queries in chDB on a backfill's data directory.
type embedded struct {
	conn *chdb.Conn
}

// openEmbedded opens the data directory a backfill wrote. A missing
// directory is an error rather than a new empty warehouse.
func openEmbedded(dataDir string) (*embedded, error) {
	if dataDir == "" {
		return nil, errors.New("no data directory given")
	}
	fi, err := os.Stat(dataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("data directory %s does not exist: run a backfill into it first, or pass --data-dir (or --clickhouse for a server)", dataDir)
	case err != nil:
		return nil, fmt.Errorf("data directory: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("data directory %s is not a directory", dataDir)
	}
	conn, err := warehouse.OpenChDB(dataDir, "query")
	if err != nil {
		return nil, err
	}
	// Pretty formats and Vertical would otherwise colour their output
	// with terminal escapes even when it goes to a file.
	if err := conn.Exec("SET output_format_pretty_color = 0"); err != nil {
		conn.Close()
		return nil, unwrapEngine(err)
	}
	return &embedded{conn: conn}, nil
}

// Run selects db with USE (chDB keeps it for the connection) and runs sql;
// chDB returns the whole formatted result, which is then written to w.
func (e *embedded) Run(ctx context.Context, db, sql, format string, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db != "" {
		if err := warehouse.ValidIdent(db); err != nil {
			return err
		}
		if err := e.conn.Exec("USE " + warehouse.QuoteIdent(db)); err != nil {
			return unwrapEngine(err)
		}
	}
	out, err := e.conn.Query(sql, format)
	if err != nil {
		return unwrapEngine(err)
	}
	_, err = w.Write(out)
	return err
}

func (e *embedded) Databases(ctx context.Context) ([]string, error) {
	out, err := e.conn.Query(databasesSQL, "TabSeparated")
	if err != nil {
		return nil, err
	}
	return lines(out), nil
}

func (e *embedded) Close() error { return e.conn.Close() }

// unwrapEngine returns the engine's own message for an engine error: the
// user wrote the SQL, the "chdb: query:" prefix tells them nothing.
func unwrapEngine(err error) error {
	var ee *chdb.EngineError
	if errors.As(err, &ee) {
		return errors.New(ee.Message)
	}
	return err
}
