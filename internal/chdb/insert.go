package chdb

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode"
	"unsafe"
)

// ErrStreamOpen is returned by a Conn's methods while an InsertStream is
// open on it.
var ErrStreamOpen = errors.New("chdb: an insert stream is open on this connection: Commit or Abort it first, or use another Conn")

// Insert runs an INSERT whose data is given separately from its text:
// insertPrefix is the statement up to and including its FORMAT clause,
// e.g. "INSERT INTO db.t (a, b) FORMAT RowBinary", and data is the input
// in that format (any bytes). It returns once the rows are written; an
// empty data inserts nothing. An engine error is returned as an
// *EngineError whose Op is the statement (never the data).
//
// Each Insert makes a new part in a MergeTree table, which costs the
// engine milliseconds whatever the row count: send many rows per Insert,
// or append batches to one InsertStream.
//
// The data goes through chDB's streaming-insert API, not into a query string.
// Do not send data inline after the statement text through Query instead:
// chDB ends inline data at the first empty line (the bytes "\n\n"), which
// RowBinary data can contain anywhere, silently dropping the rest when it
// falls between rows.
func (c *Conn) Insert(insertPrefix string, data []byte) error {
	stmt, format, err := splitFormat(insertPrefix)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	s, err := c.begin(stmt, format)
	if err != nil {
		return err
	}
	if _, err := s.write(data); err != nil {
		s.abort()
		return err
	}
	return s.commit()
}

// InsertStream is one INSERT whose data is appended in chunks by Write and
// committed by Commit: many batches become one write, as with one large
// Insert, without holding them all in memory. Chunks need not end on row
// boundaries.
//
// While a stream is open its Conn runs nothing else: its other methods
// return ErrStreamOpen. Use a second Conn (Open of the same directory) to
// query meanwhile. An InsertStream is not safe for concurrent use.
type InsertStream struct {
	c      *Conn
	h      unsafe.Pointer // chdb_insert_stream
	op     string
	closed bool
}

// BeginInsert starts an INSERT; insertPrefix is as for Insert. Commit or
// Abort the stream to end it.
func (c *Conn) BeginInsert(insertPrefix string) (*InsertStream, error) {
	stmt, format, err := splitFormat(insertPrefix)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	s, err := c.begin(stmt, format)
	if err != nil {
		return nil, err
	}
	c.stream = s
	return s, nil
}

// begin opens the engine's insert stream. c.mu must be held.
func (c *Conn) begin(stmt, format string) (*InsertStream, error) {
	op := shorten(stmt)
	h := c.lib.streamInsertN(c.conn(), strPtr(stmt), uintptr(len(stmt)), strPtr(format), uintptr(len(format)))
	runtime.KeepAlive(stmt)
	runtime.KeepAlive(format)
	if h == nil {
		return nil, fmt.Errorf("chdb: %s: the engine returned no insert stream (out of memory?)", op)
	}
	if msg := goString(c.lib.streamInsertError(h)); msg != "" {
		c.lib.destroyInsertStream(h)
		return nil, &EngineError{Op: op, Message: strings.TrimSpace(msg)}
	}
	return &InsertStream{c: c, h: h, op: op}, nil
}

// Write appends p, data in the stream's format, and returns len(p) or an
// error. The engine copies p, so the caller may reuse it at once. Write
// may block while the engine catches up.
func (s *InsertStream) Write(p []byte) (int, error) {
	if s.closed {
		return 0, fmt.Errorf("chdb: %s: Write after Commit, Abort or Close", s.op)
	}
	return s.write(p)
}

func (s *InsertStream) write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	rc := s.c.lib.streamAppend(s.h, bytesPtr(p), uintptr(len(p)))
	runtime.KeepAlive(p)
	if rc != 0 {
		msg := strings.TrimSpace(goString(s.c.lib.streamInsertError(s.h)))
		if msg == "" {
			msg = "the engine refused the data"
		}
		return 0, &EngineError{Op: s.op, Message: msg}
	}
	return len(p), nil
}

// Commit ends the input and returns once the rows are written, or the
// engine's error (malformed data shows here or in Write). The stream is
// finished either way.
func (s *InsertStream) Commit() error {
	if s.closed {
		return fmt.Errorf("chdb: %s: Commit after Commit, Abort or Close", s.op)
	}
	err := s.commit()
	s.detach()
	return err
}

func (s *InsertStream) commit() error {
	s.closed = true
	res := s.c.lib.streamDone(s.h)
	_, err := s.c.takeResult(res, s.op)
	s.c.lib.destroyInsertStream(s.h)
	s.h = nil
	return err
}

// Abort ends the stream without committing what has not been written yet.
// As in ClickHouse there is no rollback: blocks the engine already wrote
// (every max_insert_block_size rows, about a million) stay. Abort after
// Commit does nothing.
func (s *InsertStream) Abort() {
	if s.closed {
		return
	}
	s.abort()
	s.detach()
}

func (s *InsertStream) abort() {
	s.closed = true
	s.c.lib.streamCancelInsert(s.h)
	s.c.lib.destroyInsertStream(s.h)
	s.h = nil
}

// detach gives the connection back to other statements.
func (s *InsertStream) detach() {
	s.c.mu.Lock()
	if s.c.stream == s {
		s.c.stream = nil
	}
	s.c.mu.Unlock()
}

// splitFormat splits "INSERT ... FORMAT Name" into the statement before
// FORMAT and the format name.
func splitFormat(prefix string) (stmt, format string, err error) {
	p := strings.TrimSpace(prefix)
	p = strings.TrimSpace(strings.TrimSuffix(p, ";"))
	if i := strings.LastIndexFunc(p, unicode.IsSpace); i > 0 {
		format = p[i+1:]
		head := strings.TrimRightFunc(p[:i], unicode.IsSpace)
		if j := strings.LastIndexFunc(head, unicode.IsSpace); j > 0 && strings.EqualFold(head[j+1:], "FORMAT") {
			stmt = strings.TrimRightFunc(head[:j], unicode.IsSpace)
			if len(stmt) > 6 && strings.EqualFold(stmt[:6], "INSERT") {
				return stmt, format, nil
			}
		}
	}
	return "", "", fmt.Errorf("chdb: Insert needs a prefix of the form \"INSERT INTO db.table (columns) FORMAT Name\", got %q", shorten(prefix))
}

// shorten returns s, cut to 120 bytes for an error message.
func shorten(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// inlineInsert runs the INSERT with data appended to its text, as one
// chdb_query_n call: the alternative Insert does not use (see Insert), kept
// for the benchmark that compares the two. c.mu must be held.
func (c *Conn) inlineInsert(stmt, format string, data []byte) error {
	q := make([]byte, 0, len(stmt)+len(format)+9+len(data))
	q = append(q, stmt...)
	q = append(q, " FORMAT "...)
	q = append(q, format...)
	q = append(q, '\n')
	q = append(q, data...)
	res := c.lib.queryN(c.conn(), bytesPtr(q), uintptr(len(q)), strPtr("Null"), 4)
	runtime.KeepAlive(q)
	_, err := c.takeResult(res, "insert")
	return err
}
