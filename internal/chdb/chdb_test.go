package chdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// requireLib skips the test when the library is absent, except in CI
// (CI=true), where a missing library is a failure.
func requireLib(t testing.TB) {
	t.Helper()
	if _, err := FindLibrary(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
}

// openTest opens a connection on a fresh data directory, closed when the
// test ends.
func openTest(t testing.TB) *Conn {
	t.Helper()
	requireLib(t)
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustExec(t testing.TB, c *Conn, q string) {
	t.Helper()
	if err := c.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func mustQuery(t testing.TB, c *Conn, q, format string) []byte {
	t.Helper()
	out, err := c.Query(q, format)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFindLibrary(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	def := filepath.Join(cache, "canonic", "chdb", LibVersion, LibName)
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(LibPathEnv, "")
	if got := DefaultLibPath(); got != def {
		t.Fatalf("DefaultLibPath = %q, want %q", got, def)
	}

	_, err := FindLibrary()
	if !errors.Is(err, ErrLibraryNotFound) {
		t.Fatalf("empty cache: err = %v, want ErrLibraryNotFound", err)
	}
	for _, want := range []string{def, "make chdb", LibPathEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	if err := os.MkdirAll(filepath.Dir(def), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(def, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := FindLibrary(); err != nil || got != def {
		t.Errorf("default present: FindLibrary = %q, %v", got, err)
	}

	own := filepath.Join(dir, "own")
	if err := os.MkdirAll(own, 0o755); err != nil {
		t.Fatal(err)
	}
	ownLib := filepath.Join(own, LibName)
	if err := os.WriteFile(ownLib, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(LibPathEnv, ownLib)
	if got, _ := FindLibrary(); got != ownLib {
		t.Errorf("%s=file: FindLibrary = %q, want %q", LibPathEnv, got, ownLib)
	}
	t.Setenv(LibPathEnv, own)
	if got, _ := FindLibrary(); got != ownLib {
		t.Errorf("%s=dir: FindLibrary = %q, want %q", LibPathEnv, got, ownLib)
	}

	missing := filepath.Join(dir, "missing.so")
	t.Setenv(LibPathEnv, missing)
	if got, _ := FindLibrary(); got != def {
		t.Errorf("%s missing: FindLibrary = %q, want the default %q", LibPathEnv, got, def)
	}
	if err := os.Remove(def); err != nil {
		t.Fatal(err)
	}
	_, err = FindLibrary()
	if !errors.Is(err, ErrLibraryNotFound) || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), def) {
		t.Errorf("nothing present: err = %v, want both paths named", err)
	}
}

// TestOpenWithoutLibrary runs Open in child processes whose environment
// points at no library, or at a file that is not one, so the library is
// certainly not loaded there.
func TestOpenWithoutLibrary(t *testing.T) {
	if os.Getenv("CHDB_TEST_CHILD_NO_LIB") == "1" {
		c, err := Open(t.TempDir())
		if err == nil {
			c.Close()
			t.Fatal("Open succeeded without a library")
		}
		fmt.Println("OPEN-ERROR:", err)
		fmt.Println("NOT-FOUND:", errors.Is(err, ErrLibraryNotFound))
		return
	}
	dir := t.TempDir()
	bogus := filepath.Join(dir, "bogus", LibName)
	if err := os.MkdirAll(filepath.Dir(bogus), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bogus, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, libPath string
		want          []string
	}{
		{"missing", filepath.Join(dir, "nowhere", LibName), []string{
			"NOT-FOUND: true", filepath.Join(dir, "nowhere", LibName),
			filepath.Join(dir, "cache", "canonic", "chdb", LibVersion, LibName), "make chdb",
		}},
		{"not a library", filepath.Dir(bogus), []string{"NOT-FOUND: false", "loading " + bogus, "make chdb"}},
	}
	for _, tt := range tests {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOpenWithoutLibrary$", "-test.v")
		cmd.Env = append(os.Environ(),
			"CHDB_TEST_CHILD_NO_LIB=1",
			LibPathEnv+"="+tt.libPath,
			"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: child failed: %v\n%s", tt.name, err, out)
			continue
		}
		for _, want := range append(tt.want, "OPEN-ERROR:") {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: child output lacks %q:\n%s", tt.name, want, out)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	requireLib(t)
	v, err := Version()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.SplitN(LibVersion, "-", 2)[0]; v != want {
		t.Errorf("Version = %q, want %q", v, want)
	}
}

func TestInsertAndSelectRowBinary(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE DATABASE d; CREATE TABLE d.t (id Int64, s String) ENGINE = MergeTree ORDER BY id;")

	strs := []string{"plain", "nul\x00inside", "\x00", "", "unicode é ✓", strings.Repeat("\x00\xff", 1000), "para one\n\npara two", "\n\n"}
	var data []byte
	for i, s := range strs {
		data = appendInt64(data, int64(i+1))
		data = appendString(data, s)
	}
	if err := c.Insert("INSERT INTO d.t (id, s) FORMAT RowBinary", data); err != nil {
		t.Fatal(err)
	}

	got := mustQuery(t, c, "SELECT id, s FROM d.t ORDER BY id", "RowBinary")
	if !bytes.Equal(got, data) {
		t.Errorf("RowBinary select differs from what was inserted:\n got % x\nwant % x", head(got), head(data))
	}

	js := mustQuery(t, c, "SELECT id, s, length(s) AS n FROM d.t WHERE id <= 5 ORDER BY id", "JSONEachRow")
	// chDB 26 prints 64-bit integers as bare numbers by default.
	want := `{"id":1,"s":"plain","n":5}
{"id":2,"s":"nul\u0000inside","n":10}
{"id":3,"s":"\u0000","n":1}
{"id":4,"s":"","n":0}
{"id":5,"s":"unicode é ✓","n":14}
`
	if string(js) != want {
		t.Errorf("JSONEachRow:\n%s\nwant:\n%s", js, want)
	}

	if err := c.Insert("INSERT INTO d.t (id, s) FORMAT RowBinary", nil); err != nil {
		t.Errorf("empty insert: %v", err)
	}
	if n := mustQuery(t, c, "SELECT count() FROM d.t", "TabSeparated"); string(n) != "8\n" {
		t.Errorf("count after empty insert = %q", n)
	}
}

func TestQueryIsBinarySafe(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE TABLE default.b (s String) ENGINE = Memory")
	q := "INSERT INTO default.b FORMAT RowBinary\n" + string(appendString(nil, "a\x00b\x00"))
	if _, err := c.Query(q, "TabSeparated"); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, c, "SELECT hex(s) FROM default.b WHERE s = 'a\\0b\\0'", "TabSeparated"); string(got) != "61006200\n" {
		t.Errorf("got %q", got)
	}
}

// TestInlineDataEndsAtEmptyLine records why Insert does not put data after
// the statement text: chDB ends such data at the first empty line. If this
// test starts failing, chDB changed that, and the Insert doc can say so.
func TestInlineDataEndsAtEmptyLine(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE TABLE default.x (n UInt8, s String) ENGINE = Memory")
	// Row 1 ends with '\n' and row 2 starts with n = 10 = '\n': an empty
	// line between rows.
	var data []byte
	for i, s := range []string{"a\n", "b", "c", "d"} {
		data = append(data, []byte{1, 10, 3, 4}[i])
		data = appendString(data, s)
	}
	_, err := c.Query("INSERT INTO default.x FORMAT RowBinary\n"+string(data), "TabSeparated")
	got := mustQuery(t, c, "SELECT count() FROM default.x", "TabSeparated")
	if err == nil && string(got) == "4\n" {
		t.Fatal("chDB now keeps inline data past an empty line; update the Insert doc")
	}
	t.Logf("inline insert of 4 rows: err=%v, rows stored=%q", err, got)

	mustExec(t, c, "TRUNCATE TABLE default.x")
	if err := c.Insert("INSERT INTO default.x FORMAT RowBinary", data); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, c, "SELECT n, s FROM default.x", "RowBinary"); !bytes.Equal(got, data) {
		t.Errorf("Insert of the same data stored % x, want % x", got, data)
	}
}

func TestInsertStream(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE TABLE default.s (id Int64, s String) ENGINE = MergeTree ORDER BY id")
	const insert = "INSERT INTO default.s (id, s) FORMAT RowBinary"
	var all []byte
	for i := range 5000 {
		all = appendInt64(all, int64(i))
		all = appendString(all, strings.Repeat("x\n", i%7))
	}

	st, err := c.BeginInsert(insert)
	if err != nil {
		t.Fatal(err)
	}
	// Chunks of 777 bytes split rows anywhere.
	for off := 0; off < len(all); off += 777 {
		chunk := append([]byte(nil), all[off:min(off+777, len(all))]...)
		if n, err := st.Write(chunk); err != nil || n != len(chunk) {
			t.Fatalf("Write = %d, %v", n, err)
		}
		clear(chunk) // the engine copied it
	}
	if _, err := c.Query("SELECT 1", "TabSeparated"); !errors.Is(err, ErrStreamOpen) {
		t.Errorf("Query during a stream: err = %v, want ErrStreamOpen", err)
	}
	if err := c.Insert(insert, nil); !errors.Is(err, ErrStreamOpen) {
		t.Errorf("Insert during a stream: err = %v, want ErrStreamOpen", err)
	}
	other, err := Open(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if got := mustQuery(t, other, "SELECT count() FROM default.s", "TabSeparated"); string(got) != "0\n" {
		t.Errorf("rows visible before Commit: %q", got)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, c, "SELECT id, s FROM default.s ORDER BY id", "RowBinary"); !bytes.Equal(got, all) {
		t.Errorf("streamed rows differ from the data (%d bytes back, %d sent)", len(got), len(all))
	}
	if _, err := st.Write(all[:1]); err == nil {
		t.Error("Write after Commit succeeded")
	}
	if err := st.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
	st.Abort() // no effect after Commit

	t.Run("abort", func(t *testing.T) {
		st, err := c.BeginInsert(insert)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Write(appendString(appendInt64(nil, -1), "aborted")); err != nil {
			t.Fatal(err)
		}
		st.Abort()
		if got := mustQuery(t, c, "SELECT count() FROM default.s WHERE id = -1", "TabSeparated"); string(got) != "0\n" {
			t.Errorf("aborted row stored: %q", got)
		}
	})
	t.Run("bad data", func(t *testing.T) {
		st, err := c.BeginInsert(insert)
		if err != nil {
			t.Fatal(err)
		}
		_, werr := st.Write([]byte{1, 2, 3})
		cerr := st.Commit()
		var ee *EngineError
		if !errors.As(errors.Join(werr, cerr), &ee) || !strings.Contains(ee.Error(), "CANNOT_READ_ALL_DATA") {
			t.Errorf("truncated row: Write err = %v, Commit err = %v", werr, cerr)
		}
		if got := mustQuery(t, c, "SELECT count() FROM default.s", "TabSeparated"); string(got) != "5000\n" {
			t.Errorf("after a failed stream: %q", got)
		}
	})
	t.Run("begin errors", func(t *testing.T) {
		if _, err := c.BeginInsert("INSERT INTO default.missing (id) FORMAT RowBinary"); err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("BeginInsert into a missing table: %v", err)
		}
		if _, err := c.BeginInsert("SELECT 1"); err == nil {
			t.Error("BeginInsert of a SELECT succeeded")
		}
		if got := mustQuery(t, c, "SELECT 1", "TabSeparated"); string(got) != "1\n" {
			t.Errorf("after failed begins: %q", got)
		}
	})
	t.Run("close aborts", func(t *testing.T) {
		c2, err := Open(c.Dir())
		if err != nil {
			t.Fatal(err)
		}
		st, err := c2.BeginInsert(insert)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Write(appendString(appendInt64(nil, -2), "closed")); err != nil {
			t.Fatal(err)
		}
		if err := c2.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Write([]byte{0}); err == nil {
			t.Error("Write after the Conn closed succeeded")
		}
		if err := st.Commit(); err == nil {
			t.Error("Commit after the Conn closed succeeded")
		}
		if got := mustQuery(t, c, "SELECT count() FROM default.s WHERE id = -2", "TabSeparated"); string(got) != "0\n" {
			t.Errorf("row of a stream aborted by Close stored: %q", got)
		}
	})
}

// TestGoKeepsSignals checks that the engine left the Go runtime's signal
// handlers alone: a nil dereference must still be a recoverable panic.
func TestGoKeepsSignals(t *testing.T) {
	c := openTest(t)
	mustQuery(t, c, "SELECT sum(number) FROM numbers(1000000)", "TabSeparated")
	var p *[1 << 10]int
	recovered := func() (r any) {
		defer func() { r = recover() }()
		return p[5] // SIGSEGV, turned into a runtime error by Go's handler
	}()
	if err, ok := recovered.(runtime.Error); !ok || !strings.Contains(err.Error(), "nil pointer") {
		t.Fatalf("recovered %v, want a nil pointer runtime error", recovered)
	}
}

func TestSessionKeepsCurrentDatabase(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE DATABASE tenant; USE tenant; CREATE TABLE t (x UInt8) ENGINE = Memory;")
	if got := mustQuery(t, c, "SELECT currentDatabase(), count() FROM tenant.t", "TabSeparated"); string(got) != "tenant\t0\n" {
		t.Errorf("got %q", got)
	}
}

func TestEngineErrors(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE TABLE default.t (id Int64, s String) ENGINE = MergeTree ORDER BY id")

	tests := []struct {
		name string
		run  func() error
		want []string
	}{
		{"syntax", func() error { _, err := c.Query("SELEC 1", "TabSeparated"); return err }, []string{"SYNTAX_ERROR"}},
		{"unknown table", func() error { return c.Exec("SELECT * FROM default.nope") }, []string{"UNKNOWN_TABLE", "nope"}},
		{"second of two statements", func() error { return c.Exec("SELECT 1; SELECT * FROM default.nope2") }, []string{"nope2"}},
		{"short RowBinary", func() error {
			return c.Insert("INSERT INTO default.t (id, s) FORMAT RowBinary", []byte{1, 0, 0})
		}, []string{"INSERT INTO default.t (id, s)", "CANNOT_READ_ALL_DATA"}},
		{"insert into missing table", func() error {
			return c.Insert("INSERT INTO default.missing (id) FORMAT RowBinary", make([]byte, 8))
		}, []string{"INSERT INTO default.missing (id)", "missing"}},
		{"unknown format", func() error { return c.Insert("INSERT INTO default.t FORMAT Nope", []byte{1}) }, []string{"UNKNOWN_FORMAT"}},
		{"unknown output format", func() error { _, err := c.Query("SELECT 1", "Nope"); return err }, []string{"Nope"}},
	}
	for _, tt := range tests {
		err := tt.run()
		var ee *EngineError
		if !errors.As(err, &ee) {
			t.Errorf("%s: err = %v, want an *EngineError", tt.name, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not contain %q", tt.name, err, w)
			}
		}
	}
	if n := mustQuery(t, c, "SELECT count() FROM default.t", "TabSeparated"); string(n) != "0\n" {
		t.Errorf("failed inserts left rows: %q", n)
	}
	// The connection still works after errors.
	if got := mustQuery(t, c, "SELECT 40 + 2", "TabSeparated"); string(got) != "42\n" {
		t.Errorf("after errors: %q", got)
	}

	for _, bad := range []string{"", "INSERT INTO t (a)", "SELECT 1 FORMAT RowBinary", "INSERT INTO t FORMAT", "FORMAT RowBinary"} {
		err := c.Insert(bad, []byte{1})
		if err == nil || !strings.Contains(err.Error(), "FORMAT Name") {
			t.Errorf("Insert(%q): err = %v, want a prefix error", bad, err)
		}
	}
	if err := c.Insert("insert into default.t (id, s) format RowBinary;\n", append(appendInt64(nil, 7), 0)); err != nil {
		t.Errorf("lower-case prefix with semicolon: %v", err)
	}
}

func TestSplitFormat(t *testing.T) {
	stmt, format, err := splitFormat("  INSERT INTO db.t (a, b)\n  FORMAT\tRowBinary ; ")
	if err != nil || stmt != "INSERT INTO db.t (a, b)" || format != "RowBinary" {
		t.Errorf("got %q, %q, %v", stmt, format, err)
	}
}

func TestClosedConn(t *testing.T) {
	c := openTest(t)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Query("SELECT 1", "TabSeparated"); !errors.Is(err, ErrClosed) {
		t.Errorf("Query after Close: %v", err)
	}
	if err := c.Insert("INSERT INTO t FORMAT RowBinary", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Insert after Close: %v", err)
	}
}

func TestOneDataDirPerProcess(t *testing.T) {
	requireLib(t)
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() }) // the a open at the end
	mustExec(t, a, "CREATE TABLE default.p (x UInt8) ENGINE = MergeTree ORDER BY x")
	if err := a.Insert("INSERT INTO default.p (x) FORMAT RowBinary", []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}

	// A second connection to the same directory shares the engine.
	b, err := Open(filepath.Join(dir, ".", "")) // same directory, spelled differently
	if err != nil {
		t.Fatalf("second Open of the same directory: %v", err)
	}
	if got := mustQuery(t, b, "SELECT sum(x) FROM default.p", "TabSeparated"); string(got) != "6\n" {
		t.Errorf("second connection sees %q", got)
	}

	other := t.TempDir()
	if c, err := Open(other); !errors.Is(err, ErrOtherDataDir) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), other) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("Open of another directory: err = %v, want ErrOtherDataDir naming both", err)
	}

	// Closing one connection keeps the engine up for the other.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, a, "SELECT count() FROM default.p", "TabSeparated"); string(got) != "3\n" {
		t.Errorf("after closing the second connection: %q", got)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// With every connection closed, another directory may be opened...
	c, err := Open(other)
	if err != nil {
		t.Fatalf("Open of another directory after closing all: %v", err)
	}
	if got := mustQuery(t, c, "EXISTS TABLE default.p", "TabSeparated"); string(got) != "0\n" {
		t.Errorf("table from the first directory visible in the second: %q", got)
	}
	c.Close()

	// ...and reopening the first finds its data again.
	a, err = Open(dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if got := mustQuery(t, a, "SELECT groupArray(x) FROM (SELECT x FROM default.p ORDER BY x)", "TabSeparated"); string(got) != "[1,2,3]\n" {
		t.Errorf("after reopen: %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, "CREATE TABLE default.c (g UInt8, i Int64) ENGINE = MergeTree ORDER BY (g, i)")
	c2, err := Open(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()

	const goroutines, batches, rows = 8, 10, 100
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*batches*2)
	for g := range goroutines {
		conn := c
		if g%2 == 1 {
			conn = c2
		}
		wg.Go(func() {
			for b := range batches {
				var data []byte
				for i := range rows {
					data = append(data, byte(g))
					data = appendInt64(data, int64(b*rows+i))
				}
				if err := conn.Insert("INSERT INTO default.c (g, i) FORMAT RowBinary", data); err != nil {
					errs <- err
				}
				if _, err := conn.Query("SELECT count() FROM default.c", "TabSeparated"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := fmt.Sprintf("%d\t%d\n", goroutines*batches*rows, goroutines)
	if got := mustQuery(t, c, "SELECT count(), uniqExact(g) FROM default.c", "TabSeparated"); string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func head(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// Tiny local encoders keep these tests independent of internal/rowbinary;
// rowbinary_test.go exercises that package against the engine.
func appendInt64(b []byte, v int64) []byte {
	for i := range 8 {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	n := uint64(len(s))
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	b = append(b, byte(n))
	return append(b, s...)
}
