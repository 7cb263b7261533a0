// Package chdb runs ClickHouse in-process through chDB, the ClickHouse
// engine built as a shared library (libchdb.so), loaded at run time with
// purego: no cgo is involved and CGO_ENABLED=0 builds work.
//
// The library is not loaded when the package initialises, only by the first
// Open (or Version). It is looked up through FindLibrary: CHDB_LIB_PATH,
// then DefaultLibPath, where `make chdb` (fetch-chdb.sh) puts it.
//
// # One engine per process
//
// chDB runs one ClickHouse engine per process, on one data directory. Open
// may be called again for the directory already in use, which adds another
// connection to the same engine (connections run statements independently
// and each can be used from any goroutine). Opening a different directory
// while any connection is open fails with ErrOtherDataDir. Closing the last
// connection shuts the engine down; a later Open boots it again, on any
// directory, and data written before is there. chDB warns that doing that
// many times in one process is fragile, so a program should open once and
// close when it is done.
//
// chDB is told not to install signal handlers: the Go runtime keeps its own.
package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// ErrClosed is returned by methods of a closed Conn.
var ErrClosed = errors.New("chdb: connection is closed")

// ErrOtherDataDir is wrapped by the error Open returns when the process's
// engine already runs on another data directory.
var ErrOtherDataDir = errors.New("chdb: the engine in this process already uses another data directory")

// engine tracks the process-wide engine: which directory it runs on and
// how many connections keep it up.
var engine struct {
	mu    sync.Mutex
	dir   string
	conns int
}

// Conn is a connection to the in-process engine. Its methods are safe for
// concurrent use; a connection runs one statement at a time, so concurrent
// calls on one Conn queue up (open more Conns on the same directory to run
// statements in parallel). While an InsertStream is open on it, its other
// methods return ErrStreamOpen instead.
type Conn struct {
	mu     sync.Mutex
	lib    *lib
	handle unsafe.Pointer // chdb_connection*
	dir    string
	closed bool
	stream *InsertStream // the open insert stream, nil when none
}

// Open connects to the engine with its data (databases, tables, parts) in
// dataDir, which is created if missing. The first Open in a process loads
// the library and boots the engine; see the package doc for what later
// calls do.
func Open(dataDir string) (*Conn, error) {
	if dataDir == "" {
		return nil, errors.New("chdb: Open needs a data directory")
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("chdb: data directory %q: %v", dataDir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("chdb: creating data directory: %v", err)
	}
	l, err := loadLib()
	if err != nil {
		return nil, err
	}

	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.conns > 0 && engine.dir != dir {
		return nil, fmt.Errorf("%w: it runs on %s with %d connection(s) open, so %s cannot be opened; chDB allows one data directory per process: close those connections first or open the same directory",
			ErrOtherDataDir, engine.dir, engine.conns, dir)
	}

	args := []string{"clickhouse", "--path=" + dir}
	cstrs := make([][]byte, len(args))
	argv := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		cstrs[i] = append([]byte(a), 0)
		argv[i] = unsafe.Pointer(&cstrs[i][0])
	}
	h := l.connect(int32(len(argv)), unsafe.Pointer(&argv[0]))
	runtime.KeepAlive(cstrs)
	runtime.KeepAlive(argv)
	if h == nil || *(*unsafe.Pointer)(h) == nil {
		return nil, fmt.Errorf("chdb: connecting to the engine with data directory %s failed (see the engine's messages on stderr); check that the directory is writable and not used by another process", dir)
	}
	engine.dir = dir
	engine.conns++
	return &Conn{lib: l, handle: h, dir: dir}, nil
}

// Dir returns the absolute data directory of the connection.
func (c *Conn) Dir() string { return c.dir }

// conn returns the chdb_connection handle; c.mu must be held.
func (c *Conn) conn() unsafe.Pointer { return *(*unsafe.Pointer)(c.handle) }

// Query runs query, one statement or several separated by semicolons, and
// returns its output in format (any ClickHouse output format: "RowBinary",
// "JSONEachRow", "TabSeparated", ...; "" means TabSeparated). The text is
// passed with its length, so it may hold any bytes, NUL included; but send
// INSERT data through Insert, not inline after the statement (see
// Insert). A statement the engine rejects returns an *EngineError with the
// engine's message.
//
// Session state such as USE db or SET persists on the connection.
func (c *Conn) Query(query, format string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	res := c.lib.queryN(c.conn(), strPtr(query), uintptr(len(query)), strPtr(format), uintptr(len(format)))
	runtime.KeepAlive(query)
	runtime.KeepAlive(format)
	return c.takeResult(res, "query")
}

// usable reports why c cannot run a statement now; c.mu must be held.
func (c *Conn) usable() error {
	switch {
	case c.closed:
		return ErrClosed
	case c.stream != nil:
		return ErrStreamOpen
	}
	return nil
}

// Exec runs one or more statements separated by semicolons and discards
// their output.
func (c *Conn) Exec(query string) error {
	_, err := c.Query(query, "Null")
	return err
}

// takeResult copies a chdb_result's data out, frees it and turns an engine
// error into a Go error. c.mu must be held.
func (c *Conn) takeResult(res unsafe.Pointer, what string) ([]byte, error) {
	if res == nil {
		return nil, fmt.Errorf("chdb: %s: the engine returned no result (out of memory?)", what)
	}
	defer c.lib.destroyResult(res)
	if msg := goString(c.lib.resultError(res)); msg != "" {
		return nil, &EngineError{Op: what, Message: strings.TrimSpace(msg)}
	}
	n := c.lib.resultLength(res)
	if n == 0 {
		return []byte{}, nil
	}
	buf := c.lib.resultBuffer(res)
	if buf == nil {
		return nil, fmt.Errorf("chdb: %s: the engine reported %d bytes of output but no buffer", what, n)
	}
	return append([]byte(nil), unsafe.Slice((*byte)(buf), n)...), nil
}

// EngineError is an error reported by the ClickHouse engine.
type EngineError struct {
	Op      string // "query" or "insert into db.t (a, b)"
	Message string // the engine's message, e.g. "Code: 60. DB::Exception: Unknown table ..."
}

func (e *EngineError) Error() string {
	return "chdb: " + e.Op + ": " + e.Message
}

// Close closes the connection, aborting an open InsertStream (do not call
// it while that stream's Write runs). Closing the last connection of the
// process shuts the engine down; data stays in the data directory. Close
// is idempotent.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if s := c.stream; s != nil {
		s.abort()
		c.stream = nil
	}
	engine.mu.Lock()
	defer engine.mu.Unlock()
	c.lib.closeConn(c.handle)
	c.handle = nil
	engine.conns--
	return nil
}

// emptyC is what an empty string or slice points C at: a valid address.
var emptyC = [1]byte{0}

// strPtr returns a pointer to s's bytes (the engine only reads them, and
// takes the length separately), or to emptyC when s is empty.
func strPtr(s string) unsafe.Pointer {
	if len(s) == 0 {
		return unsafe.Pointer(&emptyC[0])
	}
	return unsafe.Pointer(unsafe.StringData(s))
}

// bytesPtr is strPtr for a byte slice.
func bytesPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return unsafe.Pointer(&emptyC[0])
	}
	return unsafe.Pointer(&b[0])
}
