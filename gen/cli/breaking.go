package cli

import (
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/canonic-data/canonic/gen/compiler"
	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/evolve"
	"github.com/canonic-data/canonic/gen/model"
)

// breaking compares every table's schema snapshot at another revision with
// what the mappings compile to now and classifies each change by what it
// breaks. It exits 1 when a breaking change is not acknowledged by the
// mapping's breaking: list.
func breaking(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("breaking", stderr)
	root := fs.String("root", "", "project root (default: found from the working directory)")
	against := fs.String("against", "", "git revision to compare with, e.g. origin/main or a merge base (required)")
	module := fs.String("module", "", "Go module path of the generated code (default: read from go.mod)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(stderr, "canonic breaking: %v\n", err)
		return ExitBadInput
	}
	if *against == "" {
		fmt.Fprintln(stderr, "canonic breaking: --against REVISION is required")
		return ExitBadInput
	}
	dir, err := findRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "canonic breaking: %v\n", err)
		return ExitBadInput
	}
	out, p, err := compiler.Compile(dir, compiler.Options{Module: *module, IgnoreHistory: true})
	if err != nil {
		return report(stderr, "breaking", err)
	}
	oldSnaps, err := snapshotsAt(dir, *against)
	if err != nil {
		fmt.Fprintf(stderr, "canonic breaking: %v\n", err)
		return ExitBadInput
	}

	unacknowledged, total := 0, 0
	seen := map[string]bool{}
	for _, t := range p.Tables {
		snapPath := t.Dir + "/" + evolve.SnapshotFile
		seen[snapPath] = true
		oldData, ok := oldSnaps[snapPath]
		if !ok {
			fmt.Fprintf(stdout, "%s: info: table %s.%s is new since %s\n", t.Mapping, t.Service, t.Name, *against)
			continue
		}
		old, err := evolve.ParseSchema(oldData)
		if err != nil {
			fmt.Fprintf(stderr, "canonic breaking: %s at %s: %v\n", snapPath, *against, err)
			return ExitBadInput
		}
		cur, err := evolve.ParseSchema(out[snapPath])
		if err != nil {
			fmt.Fprintf(stderr, "canonic breaking: %v\n", err)
			return ExitDiff
		}
		for _, ch := range evolve.Diff(old, cur) {
			total++
			pos := columnPos(t, ch.Column)
			switch ack := t.Acknowledged(ch.Class, ch.Column); {
			case !ch.Breaking:
				fmt.Fprintf(stdout, "%s: info: %s: %s\n", pos, ch.Class, ch.What)
			case ack != nil:
				fmt.Fprintf(stdout, "%s: %s (acknowledged at line %d: %s): %s\n", pos, ch.Class, ack.Pos.Line, ack.Reason, ch.What)
			default:
				unacknowledged++
				fmt.Fprintf(stdout, "%s: %s: %s\n", pos, ch.Class, ch.What)
			}
		}
	}
	var gone []string
	for snapPath := range oldSnaps {
		if !seen[snapPath] {
			gone = append(gone, snapPath)
		}
	}
	sort.Strings(gone)
	for _, g := range gone {
		unacknowledged++
		fmt.Fprintf(stdout, "%s: GO_API, WAREHOUSE: table removed since %s (its package and every tenant's table remain)\n", path.Dir(g), *against)
	}
	if unacknowledged > 0 {
		fmt.Fprintf(stderr, "canonic breaking: %d unacknowledged breaking change(s) against %s; if intended, add them to the mapping's breaking: list (class, column, reason)\n", unacknowledged, *against)
		return ExitDiff
	}
	fmt.Fprintf(stdout, "canonic breaking: no unacknowledged breaking change against %s (%d change(s) classified)\n", *against, total)
	return ExitOK
}

// columnPos is where a change is reported: the column's declaration, or
// the mapping file for table-level changes and removed columns.
func columnPos(t *model.Table, column string) diag.Pos {
	for _, c := range t.Columns {
		if c.Name == column {
			return c.Pos
		}
	}
	return diag.Pos{File: t.Mapping, Line: 1, Col: 1}
}

// snapshotsAt reads every generated schema.json at a git revision.
func snapshotsAt(root, rev string) (map[string][]byte, error) {
	git := func(args ...string) ([]byte, error) { return compiler.Git(root, nil, args...) }
	if _, err := git("rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("revision %q not found in %s", rev, root)
	}
	list, err := git("ls-tree", "-r", "--name-only", rev, "--", "generated")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, name := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		if path.Base(name) != evolve.SnapshotFile {
			continue
		}
		data, err := git("show", rev+":"+name)
		if err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}
