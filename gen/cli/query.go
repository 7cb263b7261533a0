package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/canonic-data/canonic/internal/query"
	"github.com/canonic-data/canonic/internal/warehouse"
)

const queryUsage = `Usage: canonic query [--data-dir DIR | --clickhouse DSN] [--tenant NAME] [--format F] [--output FILE] 'SQL'

Runs SQL on the warehouse the backfills load into, with the tenant's
database selected, and prints the result: an aligned table on a terminal,
TabSeparated otherwise, or any ClickHouse output format named with --format
(CSV, JSONEachRow, Vertical, Parquet, ...). Binary formats go to a file
(--output FILE, or a redirected stdout), never to a terminal.

Without --clickhouse (or ` + warehouse.EnvDSN + `) the query runs in the embedded engine on
--data-dir. With a server, it goes to the server's HTTP interface: give the
backfill's clickhouse:// DSN (HTTP port 8123, or 8443 with secure=true, or
--http-port) or an http(s)://user:password@host:8123/ DSN.

Exit status: 0 success, 1 the query failed, 2 usage error.

Flags:
`

// queryCmd runs canonic query.
func queryCmd(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("query", stderr)
	dataDir := fs.String("data-dir", warehouse.DefaultDataDir, "embedded ClickHouse data `directory` a backfill wrote")
	dsn := fs.String("clickhouse", "", "query a ClickHouse server at this `DSN` instead (env "+warehouse.EnvDSN+"): clickhouse://user:password@host:9000/ or http://user:password@host:8123/")
	httpPort := fs.Int("http-port", 0, "the server's HTTP `port`, when it cannot be derived from a clickhouse:// DSN's native port")
	tenant := fs.String("tenant", "", "tenant `name` whose database is selected, so tables can be named unqualified")
	database := fs.String("database", "", "`database` to select instead (what the backfill's --database named)")
	format := fs.StringP("format", "f", "", "ClickHouse output `format`, e.g. CSV, JSONEachRow, Vertical, Parquet; or 'table' (default: table on a terminal, TabSeparated otherwise)")
	output := fs.StringP("output", "o", "", "write the result to `FILE` (written whole on success, nothing on failure) instead of stdout")
	fs.Usage = func() {
		fmt.Fprint(stdout, queryUsage)
		fmt.Fprint(stdout, fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(stderr, "canonic query: %v (see canonic query -h)\n", err)
		return ExitBadInput
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "canonic query: give the SQL as one argument, quoted (see canonic query -h)\n")
		return ExitBadInput
	}
	opts := query.Options{DataDir: *dataDir, DSN: *dsn, HTTPPort: *httpPort, Database: *database}
	if opts.DSN == "" {
		opts.DSN = os.Getenv(warehouse.EnvDSN)
	}
	if opts.Database == "" {
		opts.Database = *tenant
	}
	if opts.Database != "" {
		if err := warehouse.ValidIdent(opts.Database); err != nil {
			fmt.Fprintf(stderr, "canonic query: --tenant: %v\n", err)
			return ExitBadInput
		}
	}
	terminal := *output == "" && isTerminal(stdout)
	f, err := query.ChooseFormat(fs.Arg(0), *format, terminal)
	if err != nil {
		fmt.Fprintf(stderr, "canonic query: %v\n", err)
		return ExitBadInput
	}
	opts.Format = f

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *output == "" {
		if err := query.Run(ctx, opts, fs.Arg(0), stdout); err != nil {
			fmt.Fprintf(stderr, "canonic query: %v\n", err)
			return ExitDiff
		}
		return ExitOK
	}
	if err := queryToFile(ctx, opts, fs.Arg(0), *output); err != nil {
		fmt.Fprintf(stderr, "canonic query: %v\n", err)
		return ExitDiff
	}
	return ExitOK
}

// queryToFile writes the result to a temporary file beside path and
// renames it into place only when the query succeeded.
func queryToFile(ctx context.Context, opts query.Options, sql, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if err := query.Run(ctx, opts, sql, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
