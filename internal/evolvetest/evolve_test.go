package evolvetest

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	v1 "github.com/canonic-data/canonic/internal/evolvetest/v1/generated/connectwise/tickets"
	v2 "github.com/canonic-data/canonic/internal/evolvetest/v2/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

const (
	company    = "evolve"
	publicKey  = "evolve-public"
	privateKey = "evolve-private-key"
	tickets    = 300
)

// run executes a generated binary's entry point for tbl against tg.
func run[R any](t *testing.T, tg wt.Target, tbl *table.Table[R], db string, args ...string) (string, string, int) {
	t.Helper()
	all := []string{"--tenant", db, "--batch-rows", "128"}
	if tg.Kind == warehouse.KindServer {
		all = append(all, "--clickhouse", tg.DSN)
	} else {
		all = append(all, "--data-dir", tg.DataDir)
	}
	var out, errb bytes.Buffer
	code := backfill.Main(tbl, append(all, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func summary(t *testing.T, out, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(key) + ` +(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary has no %q:\n%s", key, out)
	}
	return m[1]
}

func count(t *testing.T, tg wt.Target, q string) int64 {
	t.Helper()
	var n int64
	err := tg.Engine.Query(context.Background(), q, func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		n = r.Int64()
		return r.Offset(), r.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestAddColumnMigratesAndRebaselines loads with v1, then runs v2 (a new
// nullable column the source fills, a reworded comment): without
// --migrate it refuses naming the migration; with it, the migration is
// applied and every current version is re-baselined in place: no new
// version. A real change afterwards opens exactly one new version.
func TestAddColumnMigratesAndRebaselines(t *testing.T) {
	if len(v2.Table.Migrations) != 2 || !strings.HasPrefix(v2.Table.Migrations[1].Name, "0002_add_priority") {
		t.Fatalf("v2 migrations: %+v", v2.Table.Migrations)
	}
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(11, tickets)
		srv := httptest.NewServer(cwfake.New(cwfake.Config{Store: store, CompanyID: company, PublicKey: publicKey, PrivateKey: privateKey}))
		t.Cleanup(srv.Close)
		t.Setenv(connectwise.EnvURL, srv.URL+cwfake.DefaultBasePath+"/")
		t.Setenv(connectwise.EnvCompany, company)
		t.Setenv(connectwise.EnvPublicKey, publicKey)
		t.Setenv(connectwise.EnvPrivateKey, privateKey)
		t.Setenv(connectwise.EnvClientID, cwfake.DefaultClientID)
		t.Setenv(backfill.EnvClickHouseDSN, "")
		db := wt.Database(t)
		q := func(sql string) int64 { return count(t, tg, strings.ReplaceAll(sql, "DB", "`"+db+"`")) }

		out, errs, code := run(t, tg, &v1.Table, db)
		if code != 0 || summary(t, out, "new keys") != "300" {
			t.Fatalf("v1 load: exit %d\n%s%s", code, out, errs)
		}

		out, errs, code = run(t, tg, &v2.Table, db)
		if code == 0 || !strings.Contains(errs, "pending migration") || !strings.Contains(errs, v2.Table.Migrations[1].Name) || !strings.Contains(errs, "--migrate") {
			t.Fatalf("v2 without --migrate: exit %d, want a refusal naming %s\n%s%s", code, v2.Table.Migrations[1].Name, out, errs)
		}
		if n := q("SELECT toInt64(count()) FROM system.columns WHERE database = '" + db + "' AND table = 'tickets' AND name = 'priority'"); n != 0 {
			t.Fatal("the refused run altered the table")
		}

		out, errs, code = run(t, tg, &v2.Table, db, "--migrate")
		if code != 0 {
			t.Fatalf("v2 --migrate: exit %d\n%s%s", code, out, errs)
		}
		if got := summary(t, out, "migrated"); got != v2.Table.Migrations[1].Name {
			t.Errorf("migrated %s", got)
		}
		if summary(t, out, "rebaselined") != "300" || summary(t, out, "changed") != "0" || summary(t, out, "new keys") != "0" {
			t.Fatalf("want 300 re-baselined, 0 changed, 0 new:\n%s", out)
		}
		if n := q("SELECT toInt64(count()) FROM DB.tickets FINAL"); n != tickets {
			t.Fatalf("%d version rows after re-baselining, want %d (no new versions)", n, tickets)
		}
		withPriority := int64(0)
		for _, rec := range store.Tickets() {
			if p, ok := rec["priority"].(map[string]any); ok && p["name"] != nil {
				withPriority++
			}
		}
		if n := q("SELECT toInt64(count()) FROM DB.tickets_current WHERE priority IS NOT NULL"); n != withPriority || n == 0 {
			t.Fatalf("%d current rows have a priority, the source has %d", n, withPriority)
		}
		if n := q("SELECT toInt64(count()) FROM system.columns WHERE database = '" + db + "' AND table = 'tickets' AND name = 'summary' AND comment = 'One-line summary of the ticket.'"); n != 1 {
			t.Fatal("summary's comment was not migrated")
		}

		out, _, code = run(t, tg, &v2.Table, db, "--full")
		if code != 0 || summary(t, out, "rows written") != "0" || summary(t, out, "rebaselined") != "0" {
			t.Fatalf("rerun after re-baselining must write nothing:\n%s", out)
		}

		// Change tickets: those whose mapped columns changed get exactly one
		// new version each; touching only unmapped fields writes nothing.
		mapped := func() map[any]string {
			out := map[any]string{}
			for _, rec := range store.Tickets() {
				st, _ := rec["status"].(map[string]any)
				pr, _ := rec["priority"].(map[string]any)
				co, _ := rec["company"].(map[string]any)
				out[rec["id"]] = strings.Join([]string{
					toString(rec["summary"]), toString(st["name"]), toString(pr["name"]), toString(co["id"]), toString(rec["closedFlag"]),
				}, "|")
			}
			return out
		}
		before := mapped()
		store.Mutate(12, 20, 0, 0)
		after := mapped()
		changed := 0
		for id, v := range after {
			if before[id] != v {
				changed++
			}
		}
		if changed == 0 {
			t.Fatal("the mutation changed no mapped column; pick another seed")
		}
		out, _, code = run(t, tg, &v2.Table, db, "--full")
		if code != 0 || summary(t, out, "changed") != strconv.Itoa(changed) || summary(t, out, "rows written") != strconv.Itoa(2*changed) {
			t.Fatalf("%d changed tickets must open exactly one version each:\n%s", changed, out)
		}
		if n := q("SELECT toInt64(count()) FROM DB.tickets FINAL"); n != int64(tickets+changed) {
			t.Fatalf("%d version rows, want %d", n, tickets+changed)
		}
		if n := q("SELECT toInt64(count()) FROM DB.tickets FINAL WHERE is_current = 0"); n != int64(changed) {
			t.Fatalf("%d closed versions, want %d", n, changed)
		}
	})
}

func toString(v any) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprint(v)
}

// TestFixtureSpecsAreTheProjects keeps the fixture projects' vendored
// specs (copies: the compiler reads only inside a project's root) equal to
// the project's own.
func TestFixtureSpecsAreTheProjects(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "..", "mappings", "sources", "connectwise.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v1", "v2"} {
		got, err := os.ReadFile(filepath.Join(v, "mappings", "sources", "connectwise.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/mappings/sources/connectwise.json differs from mappings/sources/connectwise.json: copy it again", v)
		}
	}
}
