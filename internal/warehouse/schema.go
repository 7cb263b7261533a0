package warehouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/canonic-data/canonic/internal/chschema"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
)

// Columns returns db.tbl's columns in table order, as system.columns
// shows them (name, type, comment). It wraps ErrNoTable when the table
// has no columns (does not exist).
func Columns(ctx context.Context, e Engine, db, tbl string) ([]table.Column, error) {
	if err := ValidIdent(db); err != nil {
		return nil, err
	}
	if err := ValidIdent(tbl); err != nil {
		return nil, err
	}
	q := "SELECT name, type, comment FROM system.columns WHERE database = " + QuoteString(db) +
		" AND table = " + QuoteString(tbl)
	var cols []table.Column
	var r rowbinary.Reader
	err := e.Query(ctx, q, func(src []byte) (int, error) {
		r.Reset(src)
		c := table.Column{Name: r.String(), Type: r.String(), Comment: r.String()}
		if err := r.Err(); err != nil {
			return 0, err
		}
		cols = append(cols, c)
		return r.Offset(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading columns of %s.%s: %w", db, tbl, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s.%s: %w", db, tbl, ErrNoTable)
	}
	return cols, nil
}

// NormalizeType is chschema.NormalizeType: the spelling system.columns
// shows on both engines.
func NormalizeType(s string) string { return chschema.NormalizeType(s) }

// CheckSchema compares a live table's columns with the ones the generated
// code expects: names, order and types (types compared after
// NormalizeType, so spelling differences between the DDL and what each
// engine's system.columns shows do not count; comments are not compared).
//
// When they differ, ok is false, diff has one line per change (from
// chschema.Diff), and alters holds the statements chschema.Alter renders
// for them, the same text the compiler's migrations hold for the same
// change, with the table written as {table} for the caller to substitute:
// ADD COLUMN ... AFTER (and COMMENT COLUMN) for a missing column, MODIFY
// COLUMN for a wrong type (with DEFAULT when it leaves Nullable), DROP
// COLUMN for a column the code does not know (that one discards its data:
// review before running). A column out of order gets a diff line saying
// why no statement can move it.
func CheckSchema(live, want []table.Column) (diff string, alters []string, ok bool) {
	var lines []string
	for _, ch := range chschema.Diff(schemaColumns(live), schemaColumns(want)) {
		name := ch.Name()
		var msg string
		switch ch.Kind {
		case chschema.Added:
			msg = fmt.Sprintf("column %s: missing (want %s at position %d)", name, ch.New.Type, ch.NewPos+1)
		case chschema.Retyped:
			msg = fmt.Sprintf("column %s: type %s, want %s", name, ch.Old.Type, ch.New.Type)
		case chschema.Moved:
			msg = fmt.Sprintf("column %s: at position %d, want %d", name, ch.OldPos+1, ch.NewPos+1)
		case chschema.Dropped:
			msg = fmt.Sprintf("column %s: not in the generated table (live type %s)", name, ch.Old.Type)
		}
		stmts, err := chschema.Alter("{table}", ch)
		if err != nil {
			msg += " (no statement: " + err.Error() + ")"
		}
		lines = append(lines, msg)
		alters = append(alters, stmts...)
	}
	if len(lines) == 0 {
		return "", nil, true
	}
	return strings.Join(lines, "\n"), alters, false
}

// schemaColumns converts the runtime's columns to chschema's.
func schemaColumns(cols []table.Column) []chschema.Column {
	out := make([]chschema.Column, len(cols))
	for i, c := range cols {
		out[i] = chschema.Column(c)
	}
	return out
}

// DriftError reports that a live table differs from the generated one.
type DriftError struct {
	Table  string   // db.table
	Diff   string   // one line per column, from CheckSchema
	Alters []string // statements that would fix it, table name filled in
}

func (e *DriftError) Error() string {
	n := strings.Count(e.Diff, "\n") + 1
	first, _, _ := strings.Cut(e.Diff, "\n")
	return fmt.Sprintf("table %s differs from the generated schema in %d column(s), first: %s", e.Table, n, first)
}

// Report returns the full difference and the fixing statements, for a
// person to read.
func (e *DriftError) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s differs from the generated schema:\n", e.Table)
	for _, l := range strings.Split(e.Diff, "\n") {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("statements that would make it match (review them; DROP COLUMN discards data):\n")
	for _, a := range e.Alters {
		b.WriteString("  " + a + ";\n")
	}
	return b.String()
}

// CheckTable reads db.tbl's live columns and compares them with want; a
// difference is a *DriftError.
func CheckTable(ctx context.Context, e Engine, db, tbl string, want []table.Column) error {
	live, err := Columns(ctx, e, db, tbl)
	if err != nil {
		return err
	}
	diff, alters, ok := CheckSchema(live, want)
	if ok {
		return nil
	}
	name := qualified(db, tbl)
	for i := range alters {
		alters[i] = strings.Replace(alters[i], "{table}", name, 1)
	}
	return &DriftError{Table: db + "." + tbl, Diff: diff, Alters: alters}
}
