package backfill_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// A tenant named after ClickHouse's shared database does not load there
// unless --database names it.
func TestSharedDatabaseOnlyByName(t *testing.T) {
	for _, tenant := range []string{"default", "DEFAULT"} {
		r := run("--tenant", tenant, "--data-dir", t.TempDir())
		if r.code != 2 || !strings.Contains(r.stderr, "shared database") || !strings.Contains(r.stderr, "--database "+tenant) {
			t.Errorf("--tenant %s: exit %d, stderr %s", tenant, r.code, r.stderr)
		}
	}
	for _, db := range []string{"system", "INFORMATION_SCHEMA", "information_schema", "_temporary_and_external_tables"} {
		if r := run("--tenant", "acme", "--database", db, "--data-dir", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "reserved") {
			t.Errorf("--database %s: exit %d, stderr %s", db, r.code, r.stderr)
		}
	}
	tg := wt.Embedded(t)
	fakeCW(t, cwfake.NewStore(1, 3))
	if r := run("--tenant", "default", "--database", "default", "--data-dir", tg.DataDir); r.code != 0 {
		t.Errorf("--tenant default --database default: exit %d, stderr %s", r.code, r.stderr)
	}
}

// Wrong credentials are found out by one small request, before a database
// or table exists.
func TestBadCredentialsCreateNothing(t *testing.T) {
	tg := wt.Embedded(t)
	fakeCW(t, cwfake.NewStore(1, 3))
	t.Setenv(connectwise.EnvPrivateKey, "Wrong-"+privateKey)
	db := wt.Database(t)
	r := run("--tenant", db, "--data-dir", tg.DataDir)
	if r.code != 1 || !strings.Contains(r.stderr, "checking the ConnectWise credentials before creating anything") || !strings.Contains(r.stderr, "HTTP 401") {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "Wrong-"+privateKey) {
		t.Errorf("stderr shows the key: %s", r.stderr)
	}
	for _, tbl := range []string{"tickets", "_canonic_runs"} {
		if ok, err := warehouse.TableExists(context.Background(), tg.Engine, db, tbl); err != nil || ok {
			t.Errorf("%s.%s exists after a run with wrong credentials (err %v)", db, tbl, err)
		}
	}
}

func TestMaxWaitFlag(t *testing.T) {
	for _, v := range []string{"0s", "-1m", "soon"} {
		if r := run("--tenant", "acme", "--max-wait", v, "--data-dir", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "max-wait") {
			t.Errorf("--max-wait %s: exit %d, stderr %s", v, r.code, r.stderr)
		}
	}
	if r := run("-h"); !strings.Contains(r.stdout, "--max-wait") {
		t.Error("-h does not mention --max-wait")
	}
}

// Invalid UTF-8 in a source string is counted per source field and
// reported, and the run still loads the record (with U+FFFD).
func TestInvalidUTF8Reported(t *testing.T) {
	tg := wt.Embedded(t)
	staticCW(t, func() string {
		return "[" + ticketJSON(1, "ok", "", "2024-03-01T00:00:00Z") + "," +
			"{\"id\":2,\"summary\":\"caf\xe9 \xff\",\"status\":{\"name\":\"Op\xc3en\"},\"_info\":{\"lastUpdated\":\"2024-03-01T00:00:00Z\"}}]"
	})
	db := wt.Database(t)
	r := mustLoad(t, tg, db)
	if !regexp.MustCompile(`(?m)^  invalid UTF-8 +2 \(status__name 1, summary 1\) values replaced with U\+FFFD$`).MatchString(r.stdout) {
		t.Errorf("summary does not report the replacements:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "invalid UTF-8 in source strings was replaced") {
		t.Errorf("no warning logged:\n%s", r.stderr)
	}
	if v := allVersions(t, tg, db); len(v[2]) != 1 || v[2][0].Summary != "caf\uFFFD \uFFFD" {
		t.Errorf("key 2 = %+v", v[2])
	}
}
