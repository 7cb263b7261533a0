package warehousetest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/canonic-data/canonic/internal/chdb"
	"github.com/canonic-data/canonic/internal/testenv/chcluster"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// Target is one engine under test.
type Target struct {
	Kind    string           // warehouse.KindEmbedded or warehouse.KindServer
	Engine  warehouse.Engine // open for the test binary's life
	DataDir string           // embedded: the chDB data directory
	DSN     string           // server: the DSN of the loader user (with a password)
	Server  *chserver.Server // server: the running server
}

// embedded is the test binary's one chDB data directory: chDB runs one
// engine per process, so every test shares it (each with its own
// databases), and the open Engine keeps the engine up between the
// backfill runs that open and close their own connections.
var embedded struct {
	once sync.Once
	dir  string
	eng  warehouse.Engine
	err  error
}

var serverEngine struct {
	once sync.Once
	eng  warehouse.Engine
	err  error
}

// Main runs the tests, then the package's own cleanup functions, then
// stops the shared server and removes the shared chDB directory. Call it
// from TestMain.
func Main(m *testing.M, cleanup ...func()) {
	code := m.Run()
	for _, f := range cleanup {
		f()
	}
	if embedded.eng != nil {
		embedded.eng.Close()
	}
	if serverEngine.eng != nil {
		serverEngine.eng.Close()
	}
	chserver.StopShared()
	chcluster.StopShared()
	if embedded.dir != "" {
		os.RemoveAll(embedded.dir)
	}
	os.Exit(code)
}

// skipOrFail skips the test when an engine is missing, or fails it when
// CI=true.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}

// Embedded returns the shared embedded target, skipping the test (failing
// it with CI=true) when the chDB library is missing, and under -short.
func Embedded(t testing.TB) Target {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the embedded engine (-short)")
	}
	if _, err := chdb.FindLibrary(); err != nil {
		skipOrFail(t, err)
	}
	embedded.once.Do(func() {
		embedded.dir, embedded.err = os.MkdirTemp("", "warehousetest-chdb-")
		if embedded.err == nil {
			embedded.eng, embedded.err = warehouse.OpenEmbedded(embedded.dir)
		}
	})
	if embedded.err != nil {
		t.Fatal(embedded.err)
	}
	return Target{Kind: warehouse.KindEmbedded, Engine: embedded.eng, DataDir: embedded.dir}
}

// Server returns the shared ClickHouse server target (a private
// clickhouse-server started by chserver), skipping the test (failing it
// with CI=true) when no server binary is installed, and under -short.
func Server(t testing.TB) Target {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a ClickHouse server (-short)")
	}
	srv := chserver.Shared(t)
	dsn := srv.DSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default")
	serverEngine.once.Do(func() {
		serverEngine.eng, serverEngine.err = warehouse.OpenServer(context.Background(), dsn)
	})
	if serverEngine.err != nil {
		t.Fatal(serverEngine.err)
	}
	return Target{Kind: warehouse.KindServer, Engine: serverEngine.eng, DSN: dsn, Server: srv}
}

// Both runs fn as two subtests, "embedded" and "server", one per engine.
func Both(t *testing.T, fn func(t *testing.T, tg Target)) {
	t.Run(warehouse.KindEmbedded, func(t *testing.T) { fn(t, Embedded(t)) })
	t.Run(warehouse.KindServer, func(t *testing.T) { fn(t, Server(t)) })
}

var dbSeq atomic.Int64
var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Database returns a fresh database name for t (the database is not
// created).
func Database(t testing.TB) string {
	name := strings.ToLower(nonIdent.ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return fmt.Sprintf("t%d_%s", dbSeq.Add(1), strings.Trim(name, "_"))
}
