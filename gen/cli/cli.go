// Package cli is the canonic command as a function: Run parses arguments,
// runs one subcommand and returns the exit code, with no package state, so
// tests call it directly and in parallel.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/canonic-data/canonic/gen/compiler"
	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/sourcespec"
	"github.com/canonic-data/canonic/gen/writer"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitDiff     = 1 // check found drift, or the machine failed (I/O)
	ExitBadInput = 2 // mappings, settings or usage are wrong
)

const usage = `usage: canonic <command> [flags]

commands:
  generate      compile mappings/ and write generated/ and cmd/backfill-*/ (only changed files; stale owned files pruned)
  check         compile in memory and diff against disk; exit 1 on any difference
  import-spec   vendor a ConnectWise OpenAPI file as mappings/sources/<service>.json
  breaking      classify every change against a git revision (GO_API, WAREHOUSE, HISTORY, SOURCE); exit 1 on an unacknowledged break
  query         run SQL on the loaded data (embedded --data-dir or a --clickhouse server) with a tenant's database selected

Run 'canonic <command> -h' for a command's flags.
`

// Run executes the canonic command line args (without the program name).
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitBadInput
	}
	switch args[0] {
	case "generate":
		return generate(args[1:], stdout, stderr, false)
	case "check":
		return generate(args[1:], stdout, stderr, true)
	case "import-spec":
		return importSpec(args[1:], stdout, stderr)
	case "breaking":
		return breaking(args[1:], stdout, stderr)
	case "query":
		return queryCmd(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(stderr, "canonic: unknown command %q\n\n%s", args[0], usage)
	return ExitBadInput
}

func flagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("canonic "+name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	return fs
}

func generate(args []string, stdout, stderr io.Writer, check bool) int {
	name := "generate"
	if check {
		name = "check"
	}
	fs := flagSet(name, stderr)
	root := fs.String("root", "", "project root (default: the nearest directory above the working directory holding "+compiler.SettingsFile+")")
	target := fs.String("target", "", "oldest ClickHouse server the DDL must run on, e.g. 18.16 (default: the settings file's clickhouse.target)")
	module := fs.String("module", "", "Go module path of the generated code (default: read from the root's go.mod)")
	quiet := fs.BoolP("quiet", "q", false, "print nothing on success")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		// ContinueOnError leaves printing to us.
		fmt.Fprintf(stderr, "canonic %s: %v (see canonic %s -h)\n", name, err, name)
		return ExitBadInput
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "canonic %s: unexpected argument %q\n", name, fs.Arg(0))
		return ExitBadInput
	}
	dir, err := findRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "canonic %s: %v\n", name, err)
		return ExitBadInput
	}
	out, _, err := compiler.Compile(dir, compiler.Options{Target: *target, Module: *module})
	if err != nil {
		return report(stderr, name, err)
	}
	changes, err := writer.Plan(dir, out)
	if err != nil {
		fmt.Fprintf(stderr, "canonic %s: %v\n", name, err)
		return ExitDiff
	}
	if check {
		if len(changes) == 0 {
			if !*quiet {
				fmt.Fprintf(stdout, "canonic check: %d generated files up to date\n", len(out))
			}
			return ExitOK
		}
		fmt.Fprint(stdout, writer.Diff(changes))
		fmt.Fprintf(stderr, "canonic check: %d generated files differ from the mappings; run 'go generate ./...' (or make generate) and commit the result\n", len(changes))
		return ExitDiff
	}
	if err := writer.Apply(dir, changes); err != nil {
		fmt.Fprintf(stderr, "canonic generate: %v\n", err)
		return ExitDiff
	}
	if !*quiet {
		for _, c := range changes {
			verb := map[string]string{"new": "wrote", "changed": "updated", "stale": "removed"}[c.Kind]
			fmt.Fprintf(stdout, "%s %s\n", verb, c.Path)
		}
		fmt.Fprintf(stdout, "canonic generate: %d files, %d changed\n", len(out), len(changes))
	}
	return ExitOK
}

// report prints a compile error; positioned problems one per line.
func report(stderr io.Writer, name string, err error) int {
	var list diag.List
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "canonic %s: %d problem(s) in the mappings; nothing was written\n", name, len(list))
		return ExitBadInput
	}
	fmt.Fprintf(stderr, "canonic %s: %v\n", name, err)
	if errors.Is(err, diag.ErrBadInput) {
		return ExitBadInput
	}
	return ExitDiff
}

func importSpec(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("import-spec", stderr)
	root := fs.String("root", "", "project root (default: found from the working directory)")
	service := fs.String("service", "connectwise", "service the spec describes; writes mappings/sources/<service>.json")
	from := fs.String("from", "", "upstream OpenAPI JSON file to import (required)")
	source := fs.String("source", "", "provenance note stored in the snapshot (default: derived from the OpenAPI info block)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(stderr, "canonic import-spec: %v (see canonic import-spec -h)\n", err)
		return ExitBadInput
	}
	if *from == "" {
		fmt.Fprintln(stderr, "canonic import-spec: --from FILE is required")
		return ExitBadInput
	}
	dir, err := findRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "canonic import-spec: %v\n", err)
		return ExitBadInput
	}
	data, err := os.ReadFile(*from)
	if err != nil {
		fmt.Fprintf(stderr, "canonic import-spec: %v\n", err)
		return ExitBadInput
	}
	var snap []byte
	if *source != "" {
		snap, err = sourcespec.ImportWithSource(data, *service, *source)
	} else {
		snap, err = sourcespec.Import(data, *service)
	}
	if err != nil {
		fmt.Fprintf(stderr, "canonic import-spec: %s: %v\n", *from, err)
		return ExitBadInput
	}
	dst := filepath.Join(dir, "mappings", "sources", *service+".json")
	if err := writeAtomic(dst, snap); err != nil {
		fmt.Fprintf(stderr, "canonic import-spec: %v\n", err)
		return ExitDiff
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes); run 'canonic check' to see which mappings the new spec breaks\n", filepath.ToSlash(strings.TrimPrefix(dst, dir+string(filepath.Separator))), len(snap))
	return ExitOK
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// findRoot returns root, or the nearest directory at or above the working
// directory that holds the settings file.
func findRoot(root string) (string, error) {
	if root != "" {
		return filepath.Abs(root)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(compiler.SettingsFile))); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s found here or above: run inside a project or pass --root", compiler.SettingsFile)
		}
		dir = parent
	}
}
