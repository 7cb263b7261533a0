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
