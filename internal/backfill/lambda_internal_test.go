package backfill

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestLambdaRefusesTheEmbeddedEngine: without CLICKHOUSE_DSN an invocation
// answers a one-line ConfigError naming the variables, before touching
// anything.
func TestLambdaRefusesTheEmbeddedEngine(t *testing.T) {
	t.Setenv(EnvClickHouseDSN, "")
	t.Setenv("CLICKHOUSE_ACME_DSN", "")
	var logs bytes.Buffer
	h := &lambdaHandler[wt.Row]{tbl: wt.Tickets(), log: slog.New(slog.NewJSONHandler(&logs, nil)), red: &redactor{}, stderr: &logs}
	_, err := h.invoke(context.Background(), []byte(`{"tenant": "acme"}`))
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "CLICKHOUSE_DSN (or CLICKHOUSE_ACME_DSN) is not set") || strings.Contains(ce.Msg, "\n") {
		t.Fatalf("answer %v, want a one-line ConfigError naming CLICKHOUSE_DSN", err)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"refused"`) {
		t.Errorf("no JSON log line for the refusal: %s", logs.String())
	}
}

// TestLambdaReadsTheCluster: an invocation takes the cluster from
// CLICKHOUSE_CLUSTER (or its per-tenant form) and CLICKHOUSE_ZK_PREFIX,
// checked by the command line's rules, before touching anything.
func TestLambdaReadsTheCluster(t *testing.T) {
	t.Setenv(EnvClickHouseDSN, "clickhouse://loader@127.0.0.1:1/default")
	cases := []struct{ cluster, acmeCluster, prefix, want string }{
		{"bad name", "", "", "CLICKHOUSE_CLUSTER, CLICKHOUSE_ZK_PREFIX: --cluster: cluster: "},
		{"prod", "bad-name!", "", "--cluster: cluster: "}, // the per-tenant form wins
		{"", "", "/clickhouse/tables", "--zk-prefix needs --cluster"},
		{"prod", "", "relative/path", "invalid ZooKeeper prefix"},
	}
	for _, c := range cases {
		t.Setenv(EnvClickHouseCluster, c.cluster)
		t.Setenv("CLICKHOUSE_ACME_CLUSTER", c.acmeCluster)
		t.Setenv(EnvClickHouseZKPrefix, c.prefix)
		var logs bytes.Buffer
		h := &lambdaHandler[wt.Row]{tbl: wt.Tickets(), log: slog.New(slog.NewJSONHandler(&logs, nil)), red: &redactor{}, stderr: &logs}
		_, err := h.invoke(context.Background(), []byte(`{"tenant": "acme"}`))
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(ce.Msg, c.want) {
			t.Errorf("cluster %q, acme's %q, prefix %q: answer %v, want a ConfigError with %q", c.cluster, c.acmeCluster, c.prefix, err, c.want)
		}
	}
}
