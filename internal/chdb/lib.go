package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// LibVersion is the chDB release this package is built and tested against
// (the npm package @chdb/lib-linux-x64-gnu at this version).
const LibVersion = "26.7.3-stable.1"

// LibName is the shared library's file name.
const LibName = "libchdb.so"

// LibPathEnv names the environment variable that overrides where the
// library is looked for: a path to the file, or to a directory holding it.
const LibPathEnv = "CHDB_LIB_PATH"

// ErrLibraryNotFound is wrapped by the error FindLibrary and Open return
// when no library file exists at any searched path.
var ErrLibraryNotFound = errors.New("chdb: library not found")

// DefaultLibPath returns where `make chdb` (internal/chdb/fetch-chdb.sh)
// puts the library: $XDG_CACHE_HOME/canonic/chdb/<LibVersion>/libchdb.so,
// or ~/.cache/... when XDG_CACHE_HOME is unset. It returns "" when neither
// the cache variable nor a home directory is known.
func DefaultLibPath() string {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "canonic", "chdb", LibVersion, LibName)
}

// FindLibrary returns the path of the chDB library to load, trying in
// order: the file named by CHDB_LIB_PATH (or libchdb.so inside it, when it
// names a directory), then DefaultLibPath. When none exists the error wraps
// ErrLibraryNotFound, names every path tried and says how to get the
// library.
func FindLibrary() (string, error) {
	var tried []string
	if env := os.Getenv(LibPathEnv); env != "" {
		p := env
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, LibName)
		}
		if isFile(p) {
			return p, nil
		}
		tried = append(tried, p+" (from "+LibPathEnv+")")
	}
	if p := DefaultLibPath(); p != "" {
		if isFile(p) {
			return p, nil
		}
		tried = append(tried, p)
	} else {
		tried = append(tried, "(no default: neither XDG_CACHE_HOME nor a home directory is set)")
	}
	return "", fmt.Errorf("%w: looked at %s; run `make chdb` to download chDB %s into the cache, or set %s to the path of %s",
		ErrLibraryNotFound, strings.Join(tried, ", "), LibVersion, LibPathEnv, LibName)
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// lib holds the C entry points, resolved once per process.
type lib struct {
	path string

	setSignalHandlersEnabled func(enabled int32)
	version                  func() *byte
	connect                  func(argc int32, argv unsafe.Pointer) unsafe.Pointer
	closeConn                func(conn unsafe.Pointer)
	queryN                   func(conn unsafe.Pointer, query unsafe.Pointer, queryLen uintptr, format unsafe.Pointer, formatLen uintptr) unsafe.Pointer
	destroyResult            func(res unsafe.Pointer)
	resultBuffer             func(res unsafe.Pointer) unsafe.Pointer
	resultLength             func(res unsafe.Pointer) uintptr
	resultError              func(res unsafe.Pointer) *byte
	resultRowsRead           func(res unsafe.Pointer) uint64
	resultRowsWritten        func(res unsafe.Pointer) uint64
	streamInsertN            func(conn unsafe.Pointer, query unsafe.Pointer, queryLen uintptr, format unsafe.Pointer, formatLen uintptr) unsafe.Pointer
	streamAppend             func(stream unsafe.Pointer, data unsafe.Pointer, n uintptr) int32
	streamDone               func(stream unsafe.Pointer) unsafe.Pointer
	streamCancelInsert       func(stream unsafe.Pointer)
	streamInsertError        func(stream unsafe.Pointer) *byte
	destroyInsertStream      func(stream unsafe.Pointer)
}

var (
	libMu     sync.Mutex
	loadedLib *lib
)

// loadLib finds and dlopens the library the first time it succeeds and
// returns the same entry points afterwards. A failure is not cached, so a
// library fetched later is picked up by the next Open.
func loadLib() (*lib, error) {
	libMu.Lock()
	defer libMu.Unlock()
	if loadedLib != nil {
		return loadedLib, nil
	}
	path, err := FindLibrary()
	if err != nil {
		return nil, err
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("chdb: loading %s: %v; if the file is damaged, delete it and run `make chdb` again", path, err)
	}
	l := &lib{path: path}
	syms := []struct {
		fn   any
		name string
	}{
		{&l.setSignalHandlersEnabled, "chdb_set_signal_handlers_enabled"},
		{&l.version, "chdb_version"},
		{&l.connect, "chdb_connect"},
		{&l.closeConn, "chdb_close_conn"},
		{&l.queryN, "chdb_query_n"},
		{&l.destroyResult, "chdb_destroy_query_result"},
		{&l.resultBuffer, "chdb_result_buffer"},
		{&l.resultLength, "chdb_result_length"},
		{&l.resultError, "chdb_result_error"},
		{&l.resultRowsRead, "chdb_result_rows_read"},
		{&l.resultRowsWritten, "chdb_result_rows_written"},
		{&l.streamInsertN, "chdb_stream_insert_n"},
		{&l.streamAppend, "chdb_stream_append"},
		{&l.streamDone, "chdb_stream_done"},
		{&l.streamCancelInsert, "chdb_stream_cancel_insert"},
		{&l.streamInsertError, "chdb_stream_insert_error"},
		{&l.destroyInsertStream, "chdb_destroy_insert_stream"},
	}
	for _, s := range syms {
		sym, err := purego.Dlsym(h, s.name)
		if err != nil {
			return nil, fmt.Errorf("chdb: %s does not export %s (is it chDB %s? run `make chdb` or point %s at that version): %v",
				path, s.name, LibVersion, LibPathEnv, err)
		}
		purego.RegisterFunc(s.fn, sym)
	}
	// The Go runtime owns signal handling (it turns SIGSEGV into panics and
	// preempts goroutines with SIGURG); keep chDB from replacing handlers.
	l.setSignalHandlersEnabled(0)
	loadedLib = l
	return l, nil
}

// goString copies the NUL-terminated C string at p.
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// Version loads the library if needed and returns the engine's version
// string, e.g. "26.7.3".
func Version() (string, error) {
	l, err := loadLib()
	if err != nil {
		return "", err
	}
	return goString(l.version()), nil
}
