package backfill_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// cwServer serves store through a fake ConnectWise with cfg's faults.
func cwServer(t *testing.T, cfg cwfake.Config) (*cwfake.Server, string) {
	t.Helper()
	cfg.CompanyID, cfg.PublicKey, cfg.PrivateKey = company, publicKey, privateKey
	fake := cwfake.New(cfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL + cwfake.DefaultBasePath + "/"
}

// lambdaEnv is the function environment for the ConnectWise at url,
// loading into the shared server. The tenant's keys are set in their
// per-tenant form only; the plain ones are wrong, so a load that succeeds
// proves the per-tenant override.
func lambdaEnv(tg wt.Target, tenant, url string) map[string]string {
	up := strings.ToUpper(tenant)
	return map[string]string{
		connectwise.EnvURL:                   url,
		connectwise.EnvCompany:               company,
		connectwise.EnvClientID:              cwfake.DefaultClientID,
		connectwise.EnvPublicKey:             "wrong-public-key",
		connectwise.EnvPrivateKey:            "wrong-private-key",
		"CONNECTWISE_" + up + "_PUBLIC_KEY":  publicKey,
		"CONNECTWISE_" + up + "_PRIVATE_KEY": privateKey,
		"CLICKHOUSE_DSN":                     tg.DSN,
	}
}

// countRows counts db.tickets rows (FINAL).
func countRows(t *testing.T, tg wt.Target, db string) int64 {
	t.Helper()
	return queryInt64s(t, tg.Engine, "SELECT toInt64(count()) FROM `"+db+"`.tickets FINAL", 1)[0][0]
}

// TestLambdaLoadsTickets: one invocation of the real bootstrap under the
// emulator loads 5000 tickets into the server and answers the counts; a
// second finds them unchanged. Bad events answer errors naming the key
// and load nothing; the output holds no secret and its log lines are JSON
// carrying tenant, table and run id.
func TestLambdaLoadsTickets(t *testing.T) {
	tg := wt.Server(t)
	db := wt.Database(t)
	store := cwfake.NewStore(11, 5000)
	_, url := cwServer(t, cwfake.Config{Store: store})
	emu := startEmulator(t, lambdaEnv(tg, db, url), 120*time.Second)

	ans := emu.invoke(t, `{"tenant": "`+db+`"}`)
	if ans.ErrorMessage != "" || !ans.Complete || ans.Mode != "initial" || ans.RecordsRead != 5000 || ans.NewKeys != 5000 ||
		ans.RowsWritten != 5000 || ans.Changed != 0 || ans.Rejected != 0 || ans.RunID == "" {
		t.Fatalf("first invocation answered %s; want complete, initial, 5000 read, new and written", ans.raw)
	}
	if n := countRows(t, tg, db); n != 5000 {
		t.Fatalf("%s.tickets has %d rows, want 5000", db, n)
	}
	again := emu.invoke(t, `{"tenant": "`+db+`", "full": true, "page_size": 500}`)
	if again.ErrorMessage != "" || !again.Complete || again.Mode != "full" || again.Unchanged != 5000 || again.RowsWritten != 0 {
		t.Fatalf("second invocation answered %s; want complete, full, 5000 unchanged, nothing written", again.raw)
	}

	other := db + "_bad"
	bad := []struct{ event, errorType, names string }{
		{`{"tenant": "` + other + `", "bogus": 1}`, "EventError", `"bogus"`},
		{`{"tenant": "` + other + `", "Tenant": "x"}`, "EventError", `"Tenant"`},
		{`{"tenant": "` + other + `", "page_size": "1000"}`, "EventError", "page_size must be an integer"},
		{`{"tenant": "` + other + `", "full": "yes"}`, "EventError", "full must be true or false"},
		{`{"tenant": "` + other + `", "since": "yesterday"}`, "EventError", `since "yesterday" is not an RFC 3339 time`},
		{`{"tenant": "` + other + `", "page_size": 0}`, "EventError", "page_size must be between 1 and 1000"},
		{`{"database": "` + other + `"}`, "EventError", "tenant is required"},
		{`{"tenant": 7}`, "EventError", "tenant must be a string"},
		{`["tenant"]`, "EventError", "not a JSON object"},
	}
	for _, c := range bad {
		inv := emu.invoke(t, c.event)
		if inv.ErrorType != c.errorType || !strings.Contains(inv.ErrorMessage, c.names) || strings.Contains(inv.ErrorMessage, "\n") {
			t.Errorf("event %s answered %s; want a one-line %s naming %s", c.event, inv.raw, c.errorType, c.names)
		}
	}
	if n := queryInt64s(t, tg.Engine, "SELECT toInt64(count()) FROM system.databases WHERE name = "+warehouse.QuoteString(other), 1)[0][0]; n != 0 {
		t.Errorf("database %s exists after bad events only", other)
	}

	// A tenant without its own keys gets the plain (wrong) ones: the
	// source refuses them, and the answer is a one-line LoadError.
	refused := emu.invoke(t, `{"tenant": "`+db+`_nokeys"}`)
	if refused.ErrorType != "LoadError" || strings.Contains(refused.ErrorMessage, "\n") || !strings.Contains(refused.ErrorMessage, "401") {
		t.Errorf("a tenant with wrong keys answered %s; want a one-line LoadError saying 401", refused.raw)
	}

	out := emu.output(t)
	for _, secret := range []string{privateKey, publicKey, chserver.LoaderPassword, "wrong-private-key", "wrong-public-key"} {
		if strings.Contains(out, secret) || strings.Contains(ans.raw+again.raw, secret) {
			t.Errorf("the emulator's output shows the secret %q", secret)
		}
	}
	var finished int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"msg"`) {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %s", line)
			continue
		}
		if rec["table"] != "tickets" {
			t.Errorf("log line without the table: %s", line)
		}
		switch rec["msg"] {
		case "load finished", "sweep started", "batch done":
			if tenant, _ := rec["tenant"].(string); !strings.HasPrefix(tenant, db) || rec["run_id"] == nil || rec["run_id"] == "" {
				t.Errorf("log line without tenant or run id: %s", line)
			}
			if rec["msg"] == "load finished" {
				finished++
			}
		}
	}
	if finished != 2 {
		t.Errorf("%d \"load finished\" log lines, want 2:\n%s", finished, out)
	}
}
