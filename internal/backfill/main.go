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
	"slices"
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

// Flag defaults and limits.
const (
	DefaultPageSize   = connectwise.MaxPageSize
	DefaultBatchRows  = 10_000    // measured: same speed as 50k, a third less peak memory
	DefaultBatchBytes = 32 << 20  // wide records: a batch of source JSON this large is written at once (TestWideRecordsBoundedMemory: 404 MiB peak RSS for 2,000 records of 1 MiB)
	MaxBatchRows      = 1_000_000 // below ClickHouse's max_insert_block_size, so one INSERT is one part
	DefaultMaxRejects = 100
	DefaultDataDir    = warehouse.DefaultDataDir
)

// config is the parsed command line.
type config struct {
	opts    Options
	dsn     string // "" selects the embedded engine
	cluster warehouse.Cluster
	dataDir string
	cwURL   string
	// showCurrent prints that many rows of the current view after a run.
	showCurrent int
	// rpm is the client-side request budget per minute (0 = none).
	rpm int
	// verify checks the table instead of loading (--verify).
	verify bool
	// urlHint ends the message naming missing ConnectWise settings.
	urlHint string
	// maxWait bounds the retry time of one ConnectWise request.
	maxWait time.Duration
}

// usageError is a command-line mistake (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

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
	if cfg.cluster.Name == "" {
		cfg.cluster.Name = os.Getenv(EnvClickHouseCluster)
	}
	if cfg.cluster.ZooKeeperPrefix == "" {
		cfg.cluster.ZooKeeperPrefix = os.Getenv(EnvClickHouseZKPrefix)
	}
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

// rejectedLine is the last line of a run that rejected records: how many,
// their share and where they are, so a scheduler's log says why the status
// is not 0.
func rejectedLine(s Stats, dryRun bool) string {
	if dryRun {
		return fmt.Sprintf("%d of %d records read would be rejected (%s); dry run: no reject file was written (exit status %d)",
			s.Rejected, s.RecordsRead, share(s.Rejected, s.RecordsRead), ExitRejected)
	}
	return fmt.Sprintf("%d of %d records read were rejected (%s), the rest loaded; rejects in %s (exit status %d)",
		s.Rejected, s.RecordsRead, share(s.Rejected, s.RecordsRead), s.RejectFile, ExitRejected)
}

// share formats part/whole as a percentage, never rounding a non-zero part
// to 0% or a partial whole to 100%.
func share(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	p := 100 * float64(part) / float64(whole)
	switch {
	case part > 0 && p < 0.1:
		return "<0.1%"
	case part < whole && p > 99.9:
		return ">99.9%"
	}
	return fmt.Sprintf("%.1f%%", p)
}

// setGC collects at 1.5x the live heap rather than 2x: the per-key state
// of a million-key table is long-lived (measured: a third less peak
// memory, see internal/bench BenchmarkMemory). GOGC overrides it.
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

// parseArgs parses the command line. -h prints the usage to stdout and
// returns pflag.ErrHelp.
func parseArgs[R any](tbl *table.Table[R], name string, args []string, stdout io.Writer) (config, error) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	var cfg config
	o := &cfg.opts
	fs.StringVar(&o.Tenant, "tenant", "", "tenant `name` (required): ASCII letters, digits and underscores; also the database unless --database is given")
	fs.StringVar(&o.Database, "database", "", "ClickHouse `database` to load into (default: the tenant name)")
	fs.IntVar(&o.Limit, "limit", 0, "stop after `N` source records (0 = all); a limited run never closes keys nor advances the cursor")
	since := fs.String("since", "", "only load records updated after this RFC 3339 `time`; without it, resume from the cursor of this tenant's last successful run")
	fs.BoolVar(&o.Full, "full", false, "sweep every record and close the versions of keys the source no longer returns (only when the whole sweep succeeds)")
	fs.Float64Var(&o.MaxCloseFraction, "max-close-fraction", DefaultMaxCloseFraction, "with --full or --deletes, close at most this `share` of the current keys (0 to 1; 1 allows all); more closes nothing and fails the run")
	fs.BoolVar(&o.Deletes, "deletes", false, "sweep only the ids (fields=id, forward-only) and close the versions of keys the source no longer returns, under the same rules as --full; loads nothing else (cheap: schedule it hourly)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "fetch, map and compare, write nothing, print what would change")
	fs.BoolVar(&o.AllFields, "all-fields", false, "fetch whole records (by default only the fields the mapping reads are requested, with ConnectWise's fields= parameter)")
	fs.BoolVar(&o.Migrate, "migrate", false, "apply the table's pending generated migrations before loading (without it, a run refuses and names them)")
	fs.IntVar(&o.PageSize, "page-size", DefaultPageSize, "records per ConnectWise page (`N`, 1 to 1000)")
	fs.IntVar(&o.Streams, "streams", 1, "fetch id ranges in `N` parallel forward-only streams (1 to 16; ignored with --limit)")
	fs.IntVar(&cfg.rpm, "rpm", 0, "ConnectWise request budget per minute shared by all streams (`N`; 0 = no client-side limit; ConnectWise throttles past about 1000)")
	fs.StringVar(&cfg.cwURL, "connectwise-url", "", "ConnectWise REST root `URL`, e.g. https://api-na.myconnectwise.net/v4_6_release/apis/3.0/ (env "+connectwise.EnvURL+"); "+
		"credentials come from "+strings.Join([]string{connectwise.EnvCompany, connectwise.EnvPublicKey, connectwise.EnvPrivateKey, connectwise.EnvClientID}, ", "))
	fs.StringVar(&cfg.dsn, "clickhouse", "", "load into a ClickHouse server at this clickhouse-go `DSN`, e.g. clickhouse://user:password@host:9000/default?secure=true; rows go to the server's HTTP interface (port 8123, 8443 with secure=true; add http_port=N when the native port is not 9000 or 9440) (env "+EnvClickHouseDSN+"); without it, load into embedded ClickHouse (chDB) in --data-dir")
	fs.StringVar(&cfg.cluster.Name, "cluster", "", "load into the ClickHouse cluster `NAME` (env "+EnvClickHouseCluster+") through the node --clickhouse names: the generated cluster DDL (replicated <table>_local, Distributed <table>), ON CLUSTER, every replica written before a batch counts")
	fs.StringVar(&cfg.cluster.ZooKeeperPrefix, "zk-prefix", "", "ZooKeeper `PATH` prefix of the cluster's replicated tables (env "+EnvClickHouseZKPrefix+") (default "+warehouse.DefaultZooKeeperPrefix+")")
	fs.StringVar(&cfg.dataDir, "data-dir", DefaultDataDir, "embedded ClickHouse data `directory`; rejects/ is written under it (under the working directory with --clickhouse)")
	fs.IntVar(&o.MaxRejects, "max-rejects", DefaultMaxRejects, "fail (exit 1) once more than `N` records are rejected; up to N, the rest loads and the run exits 3 (rejects are written to rejects/<tenant>-<table>-<run>.jsonl)")
	fs.IntVar(&o.BatchRows, "batch-rows", DefaultBatchRows, "rows per INSERT (`N`, 1 to 1000000)")
	fs.IntVar(&o.BatchBytes, "batch-bytes", DefaultBatchBytes, "also write a batch once its records hold `N` bytes of source JSON (bounds memory for wide records; at least 1 MiB)")
	fs.DurationVar(&cfg.maxWait, "max-wait", connectwise.DefaultMaxWait, "longest `duration` one ConnectWise request may spend retrying, a Retry-After included (e.g. 30s, 5m)")
	fs.IntVar(&cfg.showCurrent, "show-current", 0, "after loading, print the first `N` rows of the current view (0 = none)")
	fs.BoolVar(&cfg.verify, "verify", false, "load nothing: check the table for the SCD Type 2 invariants (at most one current version per key, versions chained end to start, "+
		"no end before its start, record_hash equal to the row's hash) and, when ConnectWise is configured, its current keys against the source's /count; "+
		"print each violation with its key and exit 1 on any")
	help := fs.BoolP("help", "h", false, "print this help")

	usage := func() {
		fmt.Fprintf(stdout, `Usage: %s --tenant NAME [flags]

Loads ConnectWise %s (%s) into the ClickHouse table %s as SCD Type 2 versions.
%s

Flags:
%s`, name, tbl.Endpoint, tbl.Mapping, tbl.Name, exitStatusHelp, fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			usage()
			return cfg, err
		}
		return cfg, &usageError{msg: err.Error()}
	}
	if *help {
		usage()
		return cfg, pflag.ErrHelp
	}
	if fs.NArg() > 0 {
		return cfg, usagef("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case cfg.showCurrent < 0:
		return cfg, usagef("--show-current must be 0 or more")
	case cfg.dataDir == "":
		return cfg, usagef("--data-dir must not be empty")
	}
	if cfg.verify {
		for _, f := range []string{"full", "since", "limit", "dry-run", "migrate", "show-current", "all-fields"} {
			if fs.Changed(f) {
				return cfg, usagef("--verify loads nothing: it does not take --%s", f)
			}
		}
	}
	if err := validate(tbl, &cfg, *since, flagName); err != nil {
		return cfg, &usageError{msg: err.Error()}
	}
	return cfg, nil
}

// flagName spells a setting as the command line does.
func flagName(setting string) string { return "--" + setting }

// validate checks the settings a run shares between the command line and
// a Lambda event, fills the defaults that depend on others (the database)
// and parses since. name spells a setting ("page-size") as the caller's
// input does, for the message.
func validate[R any](tbl *table.Table[R], cfg *config, since string, name func(string) string) error {
	o := &cfg.opts
	switch {
	case o.Tenant == "":
		return fmt.Errorf("%s is required", name("tenant"))
	case o.Limit < 0:
		return fmt.Errorf("%s must be 0 or more", name("limit"))
	case o.PageSize < 1 || o.PageSize > connectwise.MaxPageSize:
		return fmt.Errorf("%s must be between 1 and %d", name("page-size"), connectwise.MaxPageSize)
	case o.MaxRejects < 0:
		return fmt.Errorf("%s must be 0 or more", name("max-rejects"))
	case o.BatchRows < 1 || o.BatchRows > MaxBatchRows:
		return fmt.Errorf("%s must be between 1 and %d", name("batch-rows"), MaxBatchRows)
	case o.Streams < 1 || o.Streams > 16:
		return fmt.Errorf("%s must be between 1 and 16", name("streams"))
	case cfg.rpm < 0:
		return fmt.Errorf("%s must be 0 or more", name("rpm"))
	case o.BatchBytes < 1<<20:
		return fmt.Errorf("%s must be at least 1048576 (1 MiB)", name("batch-bytes"))
	case !(o.MaxCloseFraction >= 0 && o.MaxCloseFraction <= 1):
		return fmt.Errorf("%s must be between 0 and 1", name("max-close-fraction"))
	case cfg.maxWait <= 0:
		return fmt.Errorf("%s must be a positive duration such as 30s or 5m", name("max-wait"))
	}
	if o.MaxCloseFraction == 0 {
		o.MaxCloseFraction = -1 // Options: negative allows none (zero selects the default)
	}
	if err := warehouse.ValidIdent(o.Tenant); err != nil {
		return fmt.Errorf("%s: %v", name("tenant"), err)
	}
	if o.Database == "" {
		if warehouse.SharedDatabase(o.Tenant) {
			return fmt.Errorf("%s %s would load into ClickHouse's shared database %s; pick another tenant name, or say %s %s if that is meant",
				name("tenant"), o.Tenant, o.Tenant, name("database"), o.Tenant)
		}
		o.Database = o.Tenant
	}
	if err := warehouse.ValidDatabase(o.Database); err != nil {
		return fmt.Errorf("%s: %v", name("database"), err)
	}
	if o.Deletes && o.Full {
		return fmt.Errorf("%s and %s exclude each other: --full closes missing keys too, and loads every record", name("deletes"), name("full"))
	}
	if o.Deletes && since != "" {
		return fmt.Errorf("%s sweeps every id: it takes no %s", name("deletes"), name("since"))
	}
	if since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			return fmt.Errorf("%s %q is not an RFC 3339 time such as 2024-05-01T00:00:00Z", name("since"), since)
		}
		o.Since = t.UTC()
		switch {
		case o.Full:
			return fmt.Errorf("%s and %s exclude each other: %s sweeps every record", name("since"), name("full"), name("full"))
		case tbl.CursorField == "":
			return fmt.Errorf("%s: table %s has no incremental cursor", name("since"), tbl.Name)
		}
	}
	return nil
}

// checkCluster validates --cluster and --zk-prefix once the environment
// has filled them.
func checkCluster(cfg config) error {
	switch {
	case cfg.cluster.Name == "" && cfg.cluster.ZooKeeperPrefix != "":
		return usagef("--zk-prefix needs --cluster")
	case cfg.cluster.Name == "":
		return nil
	case cfg.dsn == "":
		return usagef("--cluster needs --clickhouse (a node of the cluster)")
	}
	if err := cfg.cluster.Validate(); err != nil {
		return usagef("--cluster: %v", err)
	}
	return nil
}

// printSummary prints what the run did.
func printSummary(w io.Writer, tableName string, cfg config, s Stats) {
	o := cfg.opts
	head := fmt.Sprintf("%s -> %s.%s, run %s, %s", tableName, o.Database, tableName, s.RunID, s.Mode)
	if !s.From.IsZero() {
		head += " (records updated after " + s.From.Format(time.RFC3339) + ")"
	}
	if o.DryRun {
		head += ", DRY RUN: nothing was written"
	}
	fmt.Fprintln(w, head)
	secs := s.Elapsed.Seconds()
	rate := func(n int64) string {
		if secs <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f/s", float64(n)/secs)
	}
	type kv struct {
		k string
		v any
	}
	rows := []kv{
		{"records read", fmt.Sprintf("%d (%s)", s.RecordsRead, rate(s.RecordsRead))},
		{"new keys", s.NewKeys},
		{"changed", s.Changed},
		{"unchanged", s.Unchanged},
		{"closed", s.Closed},
		{"rebaselined", s.Rebaselined},
		{"rejected", rejectedCount(s)},
		{"child requests", s.ChildRequests},
		{"duplicates", s.Duplicates},
	}
	if u := formatUTF8Replacements(s.InvalidUTF8); u != "" {
		rows = append(rows, kv{"invalid UTF-8", u + " values replaced with U+FFFD"})
	}
	if s.Streams > 1 {
		rows = append(rows, kv{"streams", s.Streams})
	}
	if s.Repaired > 0 {
		rows = append(rows, kv{"repaired", s.Repaired})
	}
	if o.DryRun {
		rows = append(rows, kv{"rows to write", s.NewKeys + 2*s.Changed + s.Closed + s.Repaired})
	}
	rows = append(rows,
		kv{"rows written", fmt.Sprintf("%d (%s)", s.RowsWritten, rate(s.RowsWritten))},
		kv{"time taken", s.Elapsed.Round(time.Millisecond)})
	for _, r := range rows {
		fmt.Fprintf(w, "  %-13s %v\n", r.k, r.v)
	}
	for _, m := range s.Migrations {
		fmt.Fprintf(w, "  %-13s %s\n", "migrated", m)
	}
	switch {
	case o.DryRun:
	case !s.Cursor.IsZero():
		fmt.Fprintf(w, "  %-13s %s (the next run without --since resumes there)\n", "cursor", s.Cursor.Format(time.RFC3339))
	}
	switch {
	case s.Cut:
		fmt.Fprintf(w, "  %-13s everything up to source id %d is written; the run is unfinished (no key closed, no cursor recorded)\n", "checkpoint", s.Checkpoint)
	case (o.Full || o.Deletes) && !s.Complete:
		fmt.Fprintf(w, "  the sweep was partial (--limit, or a reject without an id): no key was closed\n")
	}
	if s.ResumedFrom > 0 {
		fmt.Fprintf(w, "  %-13s run %s from after source id %d\n", "resumed", s.RunID, s.ResumedFrom)
	}
	if s.RejectFile != "" {
		fmt.Fprintf(w, "  rejects in %s\n", s.RejectFile)
	}
	for _, e := range s.RejectErrors {
		fmt.Fprintf(w, "  rejected: %s\n", e)
	}
	if o.DryRun {
		for _, what := range []string{"new", "changed", "closed"} {
			if keys := s.Samples[what]; len(keys) > 0 {
				fmt.Fprintf(w, "  would write %s keys: %s\n", what, joinKeys(keys))
			}
		}
	}
}

// rejectedCount is the summary's rejected value: the count and, when not
// zero, its share of the records read.
func rejectedCount(s Stats) string {
	if s.Rejected == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s of records read)", s.Rejected, share(s.Rejected, s.RecordsRead))
}

func joinKeys(keys []int64) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprint(k)
	}
	s := strings.Join(parts, ", ")
	if len(keys) == sampleKeys {
		s += ", ..."
	}
	return s
}

// oneLine folds an error message onto one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}

// redactor replaces secrets in everything written through the writers it
// wraps: a last line of defence behind the packages that already keep
// secrets out of their errors.
type redactor struct {
	secrets []string
}

func (r *redactor) add(secrets ...string) {
	for _, s := range secrets {
		if len(s) >= 4 && !slices.Contains(r.secrets, s) { // shorter strings would mangle ordinary text
			r.secrets = append(r.secrets, s)
		}
	}
}

// redact returns s with the secrets replaced.
func (r *redactor) redact(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return s
}

func (r *redactor) wrap(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return &redactingFile{redactingWriter{w: w, r: r}, f}
	}
	return &redactingWriter{w: w, r: r}
}

type redactingWriter struct {
	w io.Writer
	r *redactor
}

func (w *redactingWriter) Write(p []byte) (int, error) {
	if len(w.r.secrets) == 0 {
		return w.w.Write(p)
	}
	s := w.r.redact(string(p))
	if _, err := io.WriteString(w.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactingFile keeps the *os.File visible so terminal detection works.
type redactingFile struct {
	redactingWriter
	f *os.File
}

func (w *redactingFile) Fd() uintptr { return w.f.Fd() }
