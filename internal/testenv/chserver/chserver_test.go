package chserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/testenv/chserver"
)

func TestMain(m *testing.M) { chserver.Main(m) }

// httpQuery runs query over HTTP as user/password and returns the status
// code and body.
func httpQuery(t *testing.T, srv *chserver.Server, user, password, query string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+srv.HTTPAddr+"/", strings.NewReader(query))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("HTTP query %q: %v", query, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func mustQuery(t *testing.T, srv *chserver.Server, query string) string {
	t.Helper()
	out, err := srv.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStartUsersAndStop(t *testing.T) {
	start := time.Now()
	srv := chserver.Start(t)
	t.Logf("server up in %v at native %s, http %s", time.Since(start), srv.NativeAddr, srv.HTTPAddr)

	if v := strings.TrimSpace(mustQuery(t, srv, "SELECT version()")); v == "" {
		t.Fatal("empty version")
	} else {
		t.Logf("server version %s", v)
	}
	if tz := strings.TrimSpace(mustQuery(t, srv, "SELECT timezone()")); tz != "UTC" && tz != "Etc/UTC" {
		t.Errorf("server time zone = %q, want UTC", tz)
	}
	if code, body := httpQuery(t, srv, chserver.LoaderUser, chserver.LoaderPassword, "SELECT 1"); code != http.StatusOK || strings.TrimSpace(body) != "1" {
		t.Errorf("loader with its password: %d %q", code, body)
	}
	if code, body := httpQuery(t, srv, chserver.LoaderUser, "wrong", "SELECT 1"); code == http.StatusOK || !strings.Contains(body, "Wrong password") {
		t.Errorf("loader with a wrong password: %d %q, want a 'Wrong password' error", code, body)
	}
	if _, err := srv.Query(context.Background(), "SELECT no_such_function()"); err == nil || !strings.Contains(err.Error(), "Unknown function") {
		t.Errorf("bad query error = %v, want the server's 'Unknown function' message", err)
	}

	dir := srv.Dir
	srv.Stop()
	srv.Stop() // idempotent
	if srv.Running() {
		t.Error("Running after Stop")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("server directory %s still exists after Stop (stat: %v)", dir, err)
	}
	if err := srv.Up(); err == nil {
		t.Error("Up after Stop succeeded")
	}
}

func TestRestartKeepsDataAndPorts(t *testing.T) {
	srv := chserver.Start(t)
	native, httpAddr := srv.NativeAddr, srv.HTTPAddr
	mustQuery(t, srv, "CREATE TABLE default.keep (x UInt32) ENGINE = MergeTree ORDER BY x")
	mustQuery(t, srv, "INSERT INTO default.keep VALUES (1), (2), (3)")

	start := time.Now()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("graceful restart took %v", time.Since(start))
	if srv.NativeAddr != native || srv.HTTPAddr != httpAddr {
		t.Errorf("addresses changed: %s %s -> %s %s", native, httpAddr, srv.NativeAddr, srv.HTTPAddr)
	}
	if got := strings.TrimSpace(mustQuery(t, srv, "SELECT sum(x) FROM default.keep")); got != "6" {
		t.Errorf("after Restart sum = %q, want 6", got)
	}

	// An open clickhouse-go pool reconnects by itself after a restart; a
	// batch prepared before the server died fails on Send.
	conn := openConn(t, srv, "default")
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		t.Errorf("Ping on a pool opened before Restart: %v", err)
	}
	batch, err := conn.PrepareBatch(context.Background(), "INSERT INTO default.keep (x)")
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.Append(uint32(4)); err != nil {
		t.Fatal(err)
	}

	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if srv.Running() {
		t.Fatal("Running after Kill")
	}
	if _, err := srv.Query(context.Background(), "SELECT 1"); err == nil {
		t.Error("query succeeded while the server was down")
	}
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Up(); err == nil {
		t.Error("second Up on a running server succeeded")
	}
	if got := strings.TrimSpace(mustQuery(t, srv, "SELECT count() FROM default.keep")); got != "3" {
		t.Errorf("after Kill and Up count = %q, want 3", got)
	}
	if err := batch.Send(); err == nil {
		t.Error("Send of a batch prepared before Kill succeeded")
	} else {
		t.Logf("Send of a batch prepared before Kill: %v", err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		t.Errorf("Ping on a pool opened before Kill: %v", err)
	}
}

func TestStartProcessKeepsCallerDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "srv")
	srv, err := chserver.StartProcess(dir)
	if err != nil {
		if errors.Is(err, chserver.ErrNotInstalled) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	mustQuery(t, srv, "CREATE DATABASE persisted")
	srv.Stop()
	if _, err := os.Stat(filepath.Join(dir, "config.xml")); err != nil {
		t.Fatalf("caller's directory not kept: %v", err)
	}
	srv, err = chserver.StartProcess(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		srv.Kill() // the graceful path was tested above
		srv.Stop()
	}()
	if got := mustQuery(t, srv, "SELECT count() FROM system.databases WHERE name = 'persisted'"); strings.TrimSpace(got) != "1" {
		t.Errorf("database not found after a second StartProcess on the same directory: %q", got)
	}
}

func TestBinaryErrors(t *testing.T) {
	if _, err := chserver.StartProcess("", chserver.WithBinary("/nonexistent/clickhouse-server")); err == nil {
		t.Error("StartProcess with a missing binary succeeded")
	}
	t.Setenv("CLICKHOUSE_SERVER_BIN", "/nonexistent/clickhouse-server")
	if _, err := chserver.FindBinary(); err == nil || !strings.Contains(err.Error(), "CLICKHOUSE_SERVER_BIN") {
		t.Errorf("FindBinary with a bad CLICKHOUSE_SERVER_BIN: %v", err)
	}
	// A binary that is not a server exits at once; the error carries its output.
	_, err := chserver.StartProcess("", chserver.WithBinary("/bin/false"), chserver.WithStartTimeout(5*time.Second))
	if err == nil || !strings.Contains(err.Error(), "exited during startup") {
		t.Errorf("StartProcess with /bin/false: %v", err)
	}
}

func TestDSN(t *testing.T) {
	srv := &chserver.Server{NativeAddr: "127.0.0.1:9999", HTTPAddr: "127.0.0.1:8999"}
	for _, c := range []struct{ user, pw, db, want string }{
		{"", "", "default", "clickhouse://127.0.0.1:9999/default"},
		{"loader", "", "db1", "clickhouse://loader@127.0.0.1:9999/db1"},
		{"loader", "p@ss/w:rd", "db1", "clickhouse://loader:p%40ss%2Fw%3Ard@127.0.0.1:9999/db1"},
	} {
		if got := srv.NativeDSNFor(c.user, c.pw, c.db); got != c.want {
			t.Errorf("NativeDSNFor(%q, %q, %q) = %q, want %q", c.user, c.pw, c.db, got, c.want)
		}
		if got := srv.DSNFor(c.user, c.pw, c.db); got != c.want+"?http_port=8999" {
			t.Errorf("DSNFor(%q, %q, %q) = %q, want %q", c.user, c.pw, c.db, got, c.want+"?http_port=8999")
		}
	}
	if got := srv.DSN(); got != "clickhouse://127.0.0.1:9999/default?http_port=8999" {
		t.Errorf("DSN() = %q", got)
	}
}
