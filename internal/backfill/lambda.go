package backfill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// Answer is what a Lambda invocation answers after a load.
type Answer struct {
	// Complete is false when the run stopped before its deadline and
	// must be invoked again, with the same event, to go on.
	Complete    bool   `json:"complete"`
	RunID       string `json:"run_id"`
	Mode        string `json:"mode"`
	RecordsRead int64  `json:"records_read"`
	NewKeys     int64  `json:"new_keys"`
	Changed     int64  `json:"changed"`
	Unchanged   int64  `json:"unchanged"`
	Closed      int64  `json:"closed"`
	Rejected    int64  `json:"rejected"`
	RowsWritten int64  `json:"rows_written"`
}

func answerOf(s Stats) Answer {
	return Answer{
		Complete: !s.Cut, RunID: s.RunID, Mode: s.Mode, RecordsRead: s.RecordsRead, NewKeys: s.NewKeys,
		Changed: s.Changed, Unchanged: s.Unchanged, Closed: s.Closed, Rejected: s.Rejected, RowsWritten: s.RowsWritten,
	}
}

// EventError is the error answer to an event that is not valid: nothing
// was read or written. Lambda reports its type name as errorType.
type EventError struct{ Msg string }

func (e *EventError) Error() string { return e.Msg }

// ConfigError is the error answer when the function's environment lacks
// a setting: nothing was read or written.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// LoadError is the error answer to a load that failed.
type LoadError struct{ Msg string }

func (e *LoadError) Error() string { return e.Msg }

// lambdaHandler serves one table's invocations.
type lambdaHandler[R any] struct {
	tbl *table.Table[R]
	log *slog.Logger // JSON lines on stderr (CloudWatch), carrying the table
	red *redactor
	// stderr receives the logs (redacted).
	stderr io.Writer
}

// serveLambda serves invocations through the Lambda runtime API until the
// runtime stops the process; it returns only when the API fails.
func serveLambda[R any](tbl *table.Table[R], stderr io.Writer, red *redactor) int {
	// aws-lambda-go logs each error answer (its JSON payload) with the
	// standard logger: keep those lines JSON and redacted too.
	log.SetOutput(stderr)
	log.SetFlags(0)
	h := &lambdaHandler[R]{
		tbl:    tbl,
		log:    slog.New(slog.NewJSONHandler(stderr, nil)).With("table", tbl.Name),
		red:    red,
		stderr: stderr,
	}
	lambda.StartWithOptions(h.invoke)
	return 1
}

// invoke runs one invocation. Errors are one line, redacted, without a
// stack: a panic is answered as a LoadError, not with its stack.
func (h *lambdaHandler[R]) invoke(ctx context.Context, raw json.RawMessage) (ans Answer, err error) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic", "error", h.red.redact(fmt.Sprint(p)), "stack", h.red.redact(string(debug.Stack())))
			err = &LoadError{Msg: "internal error: " + h.red.redact(oneLine(fmt.Errorf("%v", p)))}
		}
	}()
	ev, err := parseEvent(raw)
	if err != nil {
		return ans, h.eventError(err)
	}
	cfg, err := eventConfig(h.tbl, ev)
	if err != nil {
		return ans, h.eventError(err)
	}
	logger := h.log.With("tenant", cfg.opts.Tenant)
	env := tenantEnv(cfg.opts.Tenant, os.Getenv)
	cfg.dsn = env(EnvClickHouseDSN)
	cfg.cwURL = env(connectwise.EnvURL)
	if cfg.dsn == "" {
		err := &ConfigError{Msg: fmt.Sprintf("%s (or %s) is not set: a Lambda function loads into a ClickHouse server, not the embedded engine, whose data in /tmp does not survive the function",
			EnvClickHouseDSN, tenantVar(EnvClickHouseDSN, cfg.opts.Tenant))}
		logger.Error("refused", "error", err.Msg)
		return ans, err
	}
	// A cluster is named by the environment, as on the command line.
	clusterFromEnv(&cfg, env)
	if err := checkCluster(cfg); err != nil {
		ce := &ConfigError{Msg: h.red.redact(fmt.Sprintf("%s, %s: %s", EnvClickHouseCluster, EnvClickHouseZKPrefix, oneLine(err)))}
		logger.Error("refused", "error", ce.Msg)
		return ans, ce
	}
	// The function's working directory is read-only; /tmp is not.
	cfg.opts.RejectDir = os.TempDir()
	// Stop before the invocation's deadline at a checkpoint; the next
	// invocation with the same event goes on from it.
	cfg.opts.Deadline, _ = ctx.Deadline()
	cfg.opts.Resume = true

	stats, _, err := run(ctx, h.tbl, cfg, env, logger, false, h.stderr)
	logger = logger.With("run_id", stats.RunID)
	if err != nil {
		msg := h.red.redact(oneLine(err))
		attrs := []any{"error", msg, "records_read", stats.RecordsRead, "rows_written", stats.RowsWritten}
		var drift *warehouse.DriftError
		if errors.As(err, &drift) {
			attrs = append(attrs, "drift", drift.Report()) // the columns and the ALTERs that would fix them
		}
		logger.Error("load failed", attrs...)
		return ans, &LoadError{Msg: msg}
	}
	ans = answerOf(stats)
	if stats.Cut {
		logger.Info("load stopped at a checkpoint; invoke again with the same event to resume", "checkpoint", stats.Checkpoint, "answer", ans)
		return ans, nil
	}
	logger.Info("load finished", "answer", ans, "reject_errors", stats.RejectErrors)
	return ans, nil
}

// eventError logs and returns the answer to a bad event.
func (h *lambdaHandler[R]) eventError(err error) error {
	msg := h.red.redact(oneLine(err))
	h.log.Error("bad event", "error", msg)
	return &EventError{Msg: "event: " + msg}
}
