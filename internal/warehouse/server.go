package warehouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// server is a ClickHouse server reached with clickhouse-go over the
// native protocol.
type server struct {
	opts     *clickhouse.Options
	conn     driver.Conn
	redacted string // the DSN without its password
	secret   string // the password, scrubbed from errors
	vals     []any  // reused row values for inserts
}

// dsnHint is the DSN shape, for errors.
const dsnHint = "clickhouse://user:password@host:9000/database (add ?secure=true for TLS)"

// OpenServer connects to a ClickHouse server with a clickhouse-go DSN,
// e.g. clickhouse://loader:pw@host:9000/default?secure=true (secure=true
// selects TLS, skip_verify=true skips certificate checks). It pings the
// server before returning. The password never appears in errors or in
// String.
func OpenServer(ctx context.Context, dsn string) (Engine, error) {
	redacted, secret, err := RedactDSN(dsn)
	if err != nil {
		return nil, err
	}
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("invalid ClickHouse DSN %s: %s (want %s)", redacted, scrub(err.Error(), dsn, secret, redacted), dsnHint)
	}
	s := &server{opts: opts, redacted: redacted, secret: secret}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, s.wrap("connecting to ClickHouse", err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, s.wrap("connecting to ClickHouse", err)
	}
	s.conn = conn
	return s, nil
}

// RedactDSN returns dsn with its password replaced by "xxxxx", and the
// password itself (for scrubbing). A DSN that does not parse as a URL is an
// error that does not repeat it.
func RedactDSN(dsn string) (redacted, password string, err error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("invalid ClickHouse DSN: it does not parse as a URL; want %s", dsnHint)
	}
	q := u.Query()
	if pw, ok := u.User.Password(); ok {
		password = pw
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if pw := q.Get("password"); pw != "" {
		password = pw
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String(), password, nil
}

// scrub removes the DSN and its password from an error text.
func scrub(msg, dsn, secret, redacted string) string {
	if dsn != "" {
		msg = strings.ReplaceAll(msg, dsn, redacted)
	}
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "xxxxx")
		msg = strings.ReplaceAll(msg, url.QueryEscape(secret), "xxxxx")
		msg = strings.ReplaceAll(msg, url.PathEscape(secret), "xxxxx")
	}
	return msg
}

// wrap turns a driver error into one that names what failed and never the
// password.
func (s *server) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s (%s): %s", what, s.redacted, scrub(err.Error(), "", s.secret, s.redacted))
}

func (s *server) Kind() string   { return KindServer }
func (s *server) String() string { return "ClickHouse server " + s.redacted }

func (s *server) Exec(ctx context.Context, query string) error {
	return s.wrap("running statement", s.conn.Exec(ctx, query))
}

// ApplyDDL opens a second connection whose default database is db (the
// native protocol's way to select a database; 18.16 then qualifies the
// names in view bodies with it) and runs the statements on it.
func (s *server) ApplyDDL(ctx context.Context, db, ddl string) error {
	if err := ValidDatabase(db); err != nil {
		return err
	}
	opts := *s.opts
	opts.Auth.Database = db
	opts.MaxOpenConns, opts.MaxIdleConns = 1, 1
	conn, err := clickhouse.Open(&opts)
	if err != nil {
		return s.wrap("connecting to ClickHouse", err)
	}
	defer conn.Close()
	for _, stmt := range SplitStatements(ddl) {
		if err := conn.Exec(ctx, stmt); err != nil {
			return s.wrap("applying DDL in "+db, err)
		}
	}
	return nil
}

func (s *server) Query(ctx context.Context, query string, fn func(src []byte) (int, error)) error {
	rows, err := s.conn.Query(ctx, query)
	if err != nil {
		return s.wrap("running query", err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	codecs := make([]scanCodec, len(types))
	holders := make([]any, len(types))
	for i, ct := range types {
		c, err := newScanCodec(ct.DatabaseTypeName())
		if err != nil {
			return fmt.Errorf("reading column %s: %w", ct.Name(), err)
		}
		codecs[i] = c
		holders[i] = reflect.New(ct.ScanType()).Interface()
	}
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(holders...); err != nil {
			return s.wrap("reading query result", err)
		}
		buf = buf[:0]
		for i, c := range codecs {
			if buf, err = c.append(buf, reflect.ValueOf(holders[i]).Elem()); err != nil {
				return fmt.Errorf("reading column %s: %w", types[i].Name(), err)
			}
		}
		n, err := fn(buf)
		if err != nil {
			return err
		}
		if n != len(buf) {
			return fmt.Errorf("reading query result: a row of %d bytes was read as %d", len(buf), n)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap("reading query result", err)
	}
	return nil
}

func (s *server) Insert(ctx context.Context, db, tbl string, columns []string, rows Rows) error {
	if rows.Len() == 0 {
		return nil
	}
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = QuoteIdent(c)
	}
	what := "inserting into " + db + "." + tbl
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+qualified(db, tbl)+" ("+strings.Join(quoted, ", ")+")")
	if err != nil {
		return s.wrap(what, err)
	}
	defer batch.Abort() //nolint:errcheck // after Send it only reports that the batch was sent
	for i := range rows.Len() {
		s.vals = rows.AppendValues(s.vals[:0], i)
		if err := batch.Append(s.vals...); err != nil {
			return s.wrap(what, err)
		}
	}
	clear(s.vals)
	return s.wrap(what, batch.Send())
}

func (s *server) Close() error { return s.conn.Close() }
