package warehouse

import (
	"context"
	"fmt"
	"strings"

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

// CheckSchema compares a live table's columns with the ones the generated
// code expects: names, order and types (types compared after
// NormalizeType, so spelling differences between the DDL and what each
// engine's system.columns shows do not count; comments are not compared).
//
// When they differ, ok is false, diff has one line per differing column,
// and alters holds statements that would make the live table match, with
// the table written as {table} for the caller to substitute: ADD COLUMN
// (with AFTER) for a missing column, MODIFY COLUMN for a wrong type or
// position, DROP COLUMN for a column the code does not know (that one
// discards its data: review before running).
func CheckSchema(live, want []table.Column) (diff string, alters []string, ok bool) {
	liveIdx := make(map[string]int, len(live))
	for i, c := range live {
		liveIdx[c.Name] = i
	}
	wantIdx := make(map[string]bool, len(want))
	var lines []string
	// Relative order is checked over the columns both sides have.
	var common []string
	for _, c := range want {
		wantIdx[c.Name] = true
		if _, found := liveIdx[c.Name]; found {
			common = append(common, c.Name)
		}
	}
	var liveCommon []string
	for _, c := range live {
		if wantIdx[c.Name] {
			liveCommon = append(liveCommon, c.Name)
		}
	}
	after := func(i int) string {
		if i == 0 {
			return " FIRST"
		}
		return " AFTER " + QuoteIdent(want[i-1].Name)
	}
	ci := 0
	for i, w := range want {
		j, found := liveIdx[w.Name]
		if !found {
			lines = append(lines, fmt.Sprintf("column %s: missing (want %s at position %d)", w.Name, w.Type, i+1))
			alters = append(alters, fmt.Sprintf("ALTER TABLE {table} ADD COLUMN %s %s%s", QuoteIdent(w.Name), w.Type, after(i)))
			continue
		}
		lt, wt := NormalizeType(live[j].Type), NormalizeType(w.Type)
		moved := liveCommon[ci] != w.Name
		ci++
		switch {
		case lt != wt:
			msg := fmt.Sprintf("column %s: type %s, want %s", w.Name, live[j].Type, w.Type)
			stmt := fmt.Sprintf("ALTER TABLE {table} MODIFY COLUMN %s %s", QuoteIdent(w.Name), w.Type)
			if strings.HasPrefix(lt, "Nullable(") && !strings.HasPrefix(wt, "Nullable(") {
				// Leaving Nullable needs a value for the NULLs (ClickHouse 26
				// refuses the change without one).
				stmt += " DEFAULT " + zeroValue(w.Type)
			}
			if moved {
				msg += fmt.Sprintf(" (and at position %d, want %d)", j+1, i+1)
				stmt += after(i)
			}
			lines = append(lines, msg)
			alters = append(alters, stmt)
		case moved:
			lines = append(lines, fmt.Sprintf("column %s: at position %d, want %d", w.Name, j+1, i+1))
			alters = append(alters, fmt.Sprintf("ALTER TABLE {table} MODIFY COLUMN %s %s%s", QuoteIdent(w.Name), w.Type, after(i)))
		}
	}
	for _, c := range live {
		if !wantIdx[c.Name] {
			lines = append(lines, fmt.Sprintf("column %s: not in the generated table (live type %s)", c.Name, c.Type))
			alters = append(alters, fmt.Sprintf("ALTER TABLE {table} DROP COLUMN %s", QuoteIdent(c.Name)))
		}
	}
	if len(lines) == 0 {
		return "", nil, true
	}
	return strings.Join(lines, "\n"), alters, false
}

// zeroValue is a literal of typ's zero value, for DEFAULT clauses.
func zeroValue(typ string) string {
	t := strings.TrimSpace(typ)
	switch {
	case strings.HasPrefix(t, "String"), strings.HasPrefix(t, "FixedString"):
		return "''"
	case strings.HasPrefix(t, "DateTime"):
		return "toDateTime(0)"
	case strings.HasPrefix(t, "Date"):
		return "toDate(0)"
	case strings.HasPrefix(t, "Bool"):
		return "false"
	case strings.HasPrefix(t, "UUID"):
		return "toUUID('00000000-0000-0000-0000-000000000000')"
	case strings.HasPrefix(t, "Enum"):
		// The first declared value: Enum8('Low' = 1, ...).
		if i := strings.Index(t, "'"); i >= 0 {
			rest := t[i+1:]
			for j := 0; j < len(rest); j++ {
				switch rest[j] {
				case '\\':
					j++
				case '\'':
					return "'" + rest[:j] + "'"
				}
			}
		}
		return "''"
	}
	return "0"
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
