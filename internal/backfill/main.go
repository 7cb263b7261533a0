package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// Environment variables Main reads (the ConnectWise credentials are read
// by connectwise.ConfigFromLookup; see tenantEnv for their per-tenant
// forms).
const (
	EnvClickHouseDSN = warehouse.EnvDSN
	// EnvLambdaRuntimeAPI is set by AWS Lambda (and its emulator): Main
	// then serves invocations instead of reading flags.
	EnvLambdaRuntimeAPI   = "AWS_LAMBDA_RUNTIME_API"
	EnvClickHouseCluster  = "CLICKHOUSE_CLUSTER"
	EnvClickHouseZKPrefix = "CLICKHOUSE_ZK_PREFIX"
)

// Exit statuses of Main.
const (
	// ExitOK: every record read was loaded (or, with --dry-run, would be).
	ExitOK = 0
	// ExitFailed: the run failed, more than --max-rejects records
	// included; the last line on stderr says why.
	ExitFailed = 1
	// ExitUsage: the command line is wrong.
	ExitUsage = 2
	// ExitRejected: the run loaded and was recorded, but rejected records
	// (at most --max-rejects); the last line on stderr gives their count
	// and the reject file.
	ExitRejected = 3
	// ExitResumable: SIGTERM or SIGINT stopped the run at a checkpoint
	// (EX_TEMPFAIL); the next run resumes it.
	ExitResumable = 75
)

// exitStatusHelp is the exit status paragraph of -h.
const exitStatusHelp = `Exit status: 0 every record read was loaded; 3 the run loaded and was recorded but
rejected records (at most --max-rejects; the last line on stderr gives the count and the
reject file); 1 failure, more than --max-rejects rejects included; 2 usage error; 75 stopped
by SIGTERM or SIGINT at a checkpoint (the next run resumes it).`

// Main is the backfill command of one generated table: it parses args
// (without the program name), loads the table and prints a summary. It
// returns the exit status (ExitOK, ExitRejected, ExitFailed, ExitUsage).
// It keeps no package state.
func Main[R any](tbl *table.Table[R], args []string, stdout, stderr io.Writer) int {
	name := tbl.Command
	red := &redactor{}
	stdout, stderr = red.wrap(stdout), red.wrap(stderr)

	red.add(secretValues(os.Environ())...)
	setGC()
	if os.Getenv(EnvLambdaRuntimeAPI) != "" {
		return serveLambda(tbl, stderr, red)
	}

	cfg, err := parseArgs(tbl, name, args, stdout)
	if errors.Is(err, pflag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\nRun %s -h for the flags.\n", name, oneLine(err), name)
		return ExitUsage
	}
	env := tenantEnv(cfg.opts.Tenant, os.Getenv)
	cfg.urlHint = "; the URL may also be given with --connectwise-url"
	if cfg.dsn == "" {
		cfg.dsn = env(EnvClickHouseDSN)
	}
	clusterFromEnv(&cfg, env)
	if err := checkCluster(cfg); err != nil {
		fmt.Fprintf(stderr, "%s: %s\nRun %s -h for the flags.\n", name, oneLine(err), name)
		return 2
	}
	if cfg.cwURL == "" {
		cfg.cwURL = env(connectwise.EnvURL)
	}
	if _, pw, err := warehouse.RedactDSN(cfg.dsn); err == nil {
		red.add(pw)
	}

	if cfg.verify {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return verifyMain(ctx, tbl, cfg, name, stdout, stderr)
	}

	ctx, stopSignals := stopOnSignal(&cfg.opts)
	defer stopSignals()
	cfg.opts.Resume = true

	terminal := isTerminal(stderr)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("table", tbl.Name, "tenant", cfg.opts.Tenant)

	stats, preview, err := run(ctx, tbl, cfg, env, logger, terminal, stderr)
	if err != nil {
		var drift *warehouse.DriftError
		if errors.As(err, &drift) {
			fmt.Fprint(stderr, drift.Report())
		}
		msg := oneLine(err)
		if stats.RecordsRead > 0 || stats.RowsWritten > 0 {
			msg += fmt.Sprintf(" (after reading %d records and writing %d rows; the run is not recorded, so the next run covers them again)",
				stats.RecordsRead, stats.RowsWritten)
		}
		if stats.RejectFile != "" {
			msg += "; rejects in " + stats.RejectFile
		}
		fmt.Fprintf(stderr, "%s: error: %s\n", name, msg)
		return ExitFailed
	}
	printSummary(stdout, tbl.Name, cfg, stats)
	fmt.Fprint(stdout, preview)
	if stats.Cut {
		fmt.Fprintf(stderr, "%s: %s\n", name, describeCut(stats))
		return ExitResumable
	}
	if stats.Rejected > 0 {
		fmt.Fprintf(stderr, "%s: %s\n", name, rejectedLine(stats, cfg.opts.DryRun))
		return ExitRejected
	}
	return ExitOK
}

// setGC collects at 1.5x the live heap rather than 2x: a batch's rows and
// the next batch's pages are the live heap, and their garbage is most of
// the peak (measured before the reshape with per-key state: a third less
// peak memory, see internal/bench BenchmarkMemory). GOGC overrides it.
func setGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}

// stopOnSignal makes the first SIGTERM or SIGINT close opts.Stop (the
// sweep stops at a checkpoint after the INSERT in flight) and a second one
// cancel the returned context (abort now). The returned func releases
// the signals.
func stopOnSignal(opts *Options) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	opts.Stop = stop
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
			close(stop)
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(sigs); cancel() }
}

// run opens the source and the engine and loads. env reads the
// connection settings (the tenant's, see tenantEnv).
func run[R any](ctx context.Context, tbl *table.Table[R], cfg config, env func(string) string, logger *slog.Logger, terminal bool, stderr io.Writer) (Stats, string, error) {
	logger, runID := withRunID(logger)
	cwCfg, err := connectwise.ConfigFromLookup(cfg.cwURL, env)
	if err != nil {
		return Stats{}, "", fmt.Errorf("%w (each may also be set for this tenant alone, e.g. %s%s)",
			err, tenantVar(connectwise.EnvPrivateKey, cfg.opts.Tenant), cfg.urlHint)
	}
	cwCfg.Logger = logger
	cwCfg.RequestsPerMinute = cfg.rpm
	cwCfg.MaxWait = cfg.maxWait
	client, err := connectwise.New(cwCfg)
	if err != nil {
		return Stats{}, "", err
	}
	// One small request first: wrong credentials create no database.
	if err := client.Check(ctx, tbl.Endpoint); err != nil {
		return Stats{}, "", fmt.Errorf("checking the ConnectWise credentials before creating anything: %w", err)
	}

	eng, err := openEngine(ctx, cfg)
	if err != nil {
		return Stats{}, "", err
	}
	defer eng.Close()
	if cfg.cluster.Name != "" {
		cfg.opts.Cluster = &ClusterTarget{Cluster: cfg.cluster, DSN: cfg.dsn}
	}
	switch {
	case cfg.opts.RejectDir != "": // the caller's (a Lambda function's /tmp)
	case cfg.dsn != "":
		cfg.opts.RejectDir = "."
	default:
		cfg.opts.RejectDir = cfg.dataDir
	}

	var obs Observer
	var bar *barObserver
	if terminal {
		bar = &barObserver{w: stderr}
		obs = bar
		cfg.opts.CountTotal = true
	} else {
		obs = &logObserver{log: logger, runID: runID, interval: 10 * time.Second}
		logger.Info("load started", "database", cfg.opts.Database,
			"engine", eng.String(), "full", cfg.opts.Full, "dry_run", cfg.opts.DryRun)
	}
	stats, err := Load(ctx, tbl, eng, client, cfg.opts, obs)
	if bar != nil {
		bar.finish()
	}
	if u := formatUTF8Replacements(stats.InvalidUTF8); u != "" {
		logger.Warn("invalid UTF-8 in source strings was replaced with U+FFFD", "values", u)
	}
	if err != nil || cfg.showCurrent == 0 || cfg.opts.DryRun {
		return stats, "", err
	}
	preview, err := showCurrent(ctx, tbl, eng, cfg.opts.Database, cfg.showCurrent)
	return stats, preview, err
}

// openEngine opens the server cfg names, or the embedded engine on its
// data directory.
func openEngine(ctx context.Context, cfg config) (warehouse.Engine, error) {
	if cfg.cluster.Name != "" {
		return OpenCluster(ctx, cfg.dsn, cfg.cluster)
	}
	if cfg.dsn != "" {
		return warehouse.OpenServer(ctx, cfg.dsn)
	}
	return warehouse.OpenEmbedded(cfg.dataDir)
}

// oneLine folds an error message onto one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}
