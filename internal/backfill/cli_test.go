package backfill_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func run(args ...string) result {
	var out, errb bytes.Buffer
	code := backfill.Main(wt.Tickets(), args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestHelpListsEveryFlag(t *testing.T) {
	t.Setenv(backfill.EnvClickHouseDSN, "clickhouse://u:EnvDSNSecret-1@h:9000/x")
	r := run("-h")
	if r.code != 0 {
		t.Fatalf("-h exit %d: %s", r.code, r.stderr)
	}
	for _, f := range []string{"--tenant", "--database", "--limit", "--since", "--full", "--dry-run", "--page-size",
		"--connectwise-url", "--clickhouse", "--data-dir", "--max-rejects", "--batch-rows", "--batch-bytes", "--max-wait", "--max-close-fraction", "--verify", "--cluster", "--zk-prefix", "CONNECTWISE_PRIVATE_KEY", "CLICKHOUSE_DSN", "CLICKHOUSE_CLUSTER"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("-h does not mention %s", f)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "EnvDSNSecret-1") {
		t.Error("-h shows the DSN password from the environment")
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := [][]string{
		{}, // no tenant
		{"--tenant", "acme`; DROP DATABASE system; --"}, // hostile tenant
		{"--tenant", "ac me"},
		{"--tenant", "1acme"},
		{"--tenant", "acme", "--database", "system"},
		{"--tenant", "acme", "--database", "x.y"},
		{"--tenant", "acme", "--page-size", "1001"},
		{"--tenant", "acme", "--page-size", "0"},
		{"--tenant", "acme", "--since", "yesterday"},
		{"--tenant", "acme", "--since", "2024-01-01T00:00:00Z", "--full"},
		{"--tenant", "acme", "--limit", "-1"},
		{"--tenant", "acme", "--batch-rows", "0"},
		{"--tenant", "acme", "--bogus"},
		{"--tenant", "acme", "extra"},
		{"--tenant", "acme", "--verify", "--full"},
		{"--tenant", "acme", "--verify", "--dry-run"},
		{"--tenant", "acme", "--cluster", "prod"}, // a cluster needs --clickhouse
		{"--tenant", "acme", "--clickhouse", "clickhouse://127.0.0.1:1/default", "--cluster", "pr`od"},
		{"--tenant", "acme", "--zk-prefix", "/clickhouse/tables"}, // without --cluster
		{"--tenant", "acme", "--clickhouse", "clickhouse://127.0.0.1:1/default", "--cluster", "prod", "--zk-prefix", "relative/x"},
		{"--tenant", "acme", "--clickhouse", "clickhouse://127.0.0.1:1/default", "--cluster", "prod", "--zk-prefix", "/a'b"},
	}
	t.Setenv(backfill.EnvClickHouseDSN, "")
	t.Setenv(backfill.EnvClickHouseCluster, "")
	t.Setenv(backfill.EnvClickHouseZKPrefix, "")
	for _, args := range cases {
		r := run(append(args, "--data-dir", dir)...)
		if r.code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %s)", args, r.code, r.stderr)
		}
		if r.stdout != "" || !strings.Contains(r.stderr, "backfill-connectwise-tickets: ") {
			t.Errorf("%q: stdout %q stderr %q", args, r.stdout, r.stderr)
		}
	}
}

func TestHostileTenantTouchesNothing(t *testing.T) {
	tg := wt.Embedded(t)
	fakeCW(t, cwfake.NewStore(1, 5))
	r := run("--tenant", "x`; DROP TABLE system.one; --", "--data-dir", tg.DataDir)
	if r.code != 2 || !strings.Contains(r.stderr, "invalid name") {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if ok, err := warehouse.TableExists(context.Background(), tg.Engine, "system", "one"); err != nil || !ok {
		t.Fatalf("system.one: %v %v", ok, err)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	tg := wt.Server(t)
	fakeCW(t, cwfake.NewStore(1, 30))
	dsn := tg.Server.DSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default")
	secrets := []string{privateKey, publicKey, chserver.LoaderPassword}
	check := func(what string, r result) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("%s: output contains a secret:\n%s\n%s", what, r.stdout, r.stderr)
			}
		}
	}
	db := wt.Database(t)
	r := run("--tenant", db, "--clickhouse", dsn)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	check("success", r)

	// A wrong ClickHouse password and a wrong ConnectWise key fail without
	// echoing either.
	bad := tg.Server.DSNFor(chserver.LoaderUser, "Wrong-"+chserver.LoaderPassword, "default")
	secrets = append(secrets, "Wrong-"+chserver.LoaderPassword)
	r = run("--tenant", db, "--clickhouse", bad)
	if r.code != 1 {
		t.Fatalf("bad DSN: exit %d", r.code)
	}
	check("bad DSN", r)
	t.Setenv("CLICKHOUSE_DSN", dsn)
	t.Setenv("CONNECTWISE_PRIVATE_KEY", "Wrong-"+privateKey)
	secrets = append(secrets, "Wrong-"+privateKey)
	r = run("--tenant", db)
	if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 && !strings.Contains(r.stderr, "level=") {
		t.Fatalf("bad key: exit %d, stderr %s", r.code, r.stderr)
	}
	check("bad key", r)
}
