package backfill

import (
	"strings"
	"testing"
	"time"

	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestParseEvent(t *testing.T) {
	cases := []struct {
		event   string
		wantErr string // "" for a valid event
		check   func(Event) bool
	}{
		{`{"tenant": "acme"}`, "", func(e Event) bool {
			return e.Tenant == "acme" && e.PageSize == DefaultPageSize && e.MaxRejects == DefaultMaxRejects && e.Streams == 1
		}},
		{`{"tenant": "acme", "limit": 5, "full": true, "dry_run": true, "page_size": 10, "max_rejects": 0, "migrate": true, "streams": 4, "rpm": 600, "database": "x"}`, "", func(e Event) bool {
			return e.Limit == 5 && e.Full && e.DryRun && e.PageSize == 10 && e.MaxRejects == 0 && e.Migrate && e.Streams == 4 && e.RPM == 600 && e.Database == "x"
		}},
		{`{"tenant": "acme", "bogus": 1, "Full": true}`, `unknown key(s) "Full", "bogus"`, nil},
		{`{"tenant": "acme", "limit": 1.5}`, "limit must be an integer, not a number (1.5)", nil},
		{`{"tenant": "acme", "limit": "5", "dry_run": 1}`, `limit must be an integer, not a string ("5"); dry_run must be true or false, not a number (1)`, nil},
		{`{"tenant": ["acme"]}`, "tenant must be a string, not an array", nil},
		{`{"tenant": "acme", "since": {}}`, "since must be a string, not an object", nil},
		{`"acme"`, "not a JSON object", nil},
		{`null`, "not a JSON object", nil},
		{`{"tenant": "acme"`, "not a JSON object", nil},
	}
	for _, c := range cases {
		ev, err := parseEvent([]byte(c.event))
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.event, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want %q", c.event, err, c.wantErr)
		case c.check != nil && !c.check(ev):
			t.Errorf("%s: decoded %+v", c.event, ev)
		}
	}
}

// TestEventConfigSharesFlagValidation: an event is checked by the same
// rules as the flags, in the event's spelling.
func TestEventConfigSharesFlagValidation(t *testing.T) {
	tbl := wt.Tickets()
	base := Event{Tenant: "acme", PageSize: DefaultPageSize, MaxRejects: DefaultMaxRejects, Streams: 1}
	cases := []struct {
		edit    func(*Event)
		wantErr string
	}{
		{func(e *Event) {}, ""},
		{func(e *Event) { e.Tenant = "" }, "tenant is required"},
		{func(e *Event) { e.Tenant = "a b" }, "tenant: "},
		{func(e *Event) { e.Database = "system" }, "database: "},
		{func(e *Event) { e.PageSize = 1001 }, "page_size must be between 1 and 1000"},
		{func(e *Event) { e.MaxRejects = -1 }, "max_rejects must be 0 or more"},
		{func(e *Event) { e.Streams = 17 }, "streams must be between 1 and 16"},
		{func(e *Event) { e.RPM = -1 }, "rpm must be 0 or more"},
		{func(e *Event) { e.Limit = -1 }, "limit must be 0 or more"},
		{func(e *Event) { e.Since = "2024-05-01T00:00:00Z"; e.Full = true }, "since and full exclude each other"},
	}
	for i, c := range cases {
		ev := base
		c.edit(&ev)
		cfg, err := eventConfig(tbl, ev)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("case %d: %v", i, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("case %d: error %v, want %q", i, err, c.wantErr)
		case c.wantErr == "" && (cfg.opts.Database != "acme" || cfg.opts.BatchRows != DefaultBatchRows):
			t.Errorf("case %d: options %+v", i, cfg.opts)
		}
	}
	ev := base
	ev.Since = "2024-05-01T02:00:00+02:00"
	cfg, err := eventConfig(tbl, ev)
	if err != nil || !cfg.opts.Since.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("since: %v %v", cfg.opts.Since, err)
	}
}

func TestTenantEnv(t *testing.T) {
	vars := map[string]string{
		"CONNECTWISE_PUBLIC_KEY":      "plain",
		"CONNECTWISE_ACME_PUBLIC_KEY": "acme's",
		"CLICKHOUSE_DSN":              "clickhouse://u:pw@h:9000/x",
	}
	getenv := func(k string) string { return vars[k] }
	cases := []struct{ tenant, name, want string }{
		{"acme", "CONNECTWISE_PUBLIC_KEY", "acme's"},
		{"Acme", "CONNECTWISE_PUBLIC_KEY", "acme's"},
		{"globex", "CONNECTWISE_PUBLIC_KEY", "plain"},
		{"acme", "CLICKHOUSE_DSN", "clickhouse://u:pw@h:9000/x"},
	}
	for _, c := range cases {
		if got := tenantEnv(c.tenant, getenv)(c.name); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.tenant, c.name, got, c.want)
		}
	}
	if got := tenantVar("CLICKHOUSE_DSN", "acme_2"); got != "CLICKHOUSE_ACME_2_DSN" {
		t.Errorf("tenantVar = %s", got)
	}
	got := secretValues([]string{"CONNECTWISE_PRIVATE_KEY=k1secret", "CONNECTWISE_ACME_PUBLIC_KEY=k2secret", "CONNECTWISE_URL=https://x",
		"CLICKHOUSE_ACME_DSN=clickhouse://u:dsnpass@h/x", "CLICKHOUSE_DSN=clickhouse://u@h/x?password=qpass", "HOME=/root"})
	if strings.Join(got, ",") != "k1secret,k2secret,dsnpass,qpass" {
		t.Errorf("secretValues = %v", got)
	}
}
