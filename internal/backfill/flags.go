package backfill

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
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

// clusterFromEnv fills the cluster name and ZooKeeper prefix the flags
// (or the event) left empty from the environment (their per-tenant forms
// first): for the command line and for Lambda alike.
func clusterFromEnv(cfg *config, env func(string) string) {
	if cfg.cluster.Name == "" {
		cfg.cluster.Name = env(EnvClickHouseCluster)
	}
	if cfg.cluster.ZooKeeperPrefix == "" {
		cfg.cluster.ZooKeeperPrefix = env(EnvClickHouseZKPrefix)
	}
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
