package chschema

import (
	"errors"
	"fmt"
)

// ErrReorder is Alter's refusal of a Moved change, and ErrFirst its
// refusal of a column Added in first place: see the package doc.
var (
	ErrReorder = errors.New("ClickHouse cannot reorder a live table's columns on every supported server (18.16 has no MODIFY COLUMN ... AFTER): keep the existing order (new columns may go anywhere after the first)")
	ErrFirst   = errors.New("a new column cannot come first on a live table (18.16 has no ADD COLUMN ... FIRST): put it after the key")
)

// Alter returns the statements that make change on table, an already
// quoted (or placeholder) table name:
//
//	Added:   ALTER TABLE t ADD COLUMN `c` T AFTER `prev`
//	         ALTER TABLE t COMMENT COLUMN `c` 'comment'   (when it has one)
//	Retyped: ALTER TABLE t MODIFY COLUMN `c` T [DEFAULT zero]  (DEFAULT when leaving Nullable)
//	Dropped: ALTER TABLE t DROP COLUMN `c`
//
// A Moved change, and a column Added first, are errors (ErrReorder,
// ErrFirst).
func Alter(table string, change Change) ([]string, error) {
	prefix := "ALTER TABLE " + table + " "
	switch change.Kind {
	case Added:
		if change.After == "" {
			return nil, ErrFirst
		}
		out := []string{fmt.Sprintf("%sADD COLUMN %s %s AFTER %s", prefix, QuoteIdent(change.New.Name), change.New.Type, QuoteIdent(change.After))}
		if change.New.Comment != "" {
			out = append(out, CommentColumn(table, change.New))
		}
		return out, nil
	case Retyped:
		stmt := fmt.Sprintf("%sMODIFY COLUMN %s %s", prefix, QuoteIdent(change.New.Name), change.New.Type)
		if change.LeavesNullable() {
			stmt += " DEFAULT " + ZeroValue(change.New.Type)
		}
		return []string{stmt}, nil
	case Dropped:
		return []string{prefix + "DROP COLUMN " + QuoteIdent(change.Old.Name)}, nil
	case Moved:
		return nil, ErrReorder
	}
	return nil, fmt.Errorf("chschema: unknown change kind %d", change.Kind)
}

// CommentColumn sets c's comment on table.
func CommentColumn(table string, c Column) string {
	return fmt.Sprintf("ALTER TABLE %s COMMENT COLUMN %s %s", table, QuoteIdent(c.Name), QuoteString(c.Comment))
}

// ZeroValue is a literal of typ's zero value, for DEFAULT clauses: ”
// for strings, the epoch for dates and times, false, the nil UUID, an
// enum's first element, 0 for numbers.
func ZeroValue(typ string) string {
	t, err := ParseType(typ)
	if err != nil {
		return "0"
	}
	t.Normalize()
	base, _ := t.Inner()
	switch base.Name {
	case "String", "FixedString":
		return "''"
	case "DateTime", "DateTime64":
		return "toDateTime(0)"
	case "Date", "Date32":
		return "toDate(0)"
	case "Bool":
		return "false"
	case "UUID":
		return "toUUID('00000000-0000-0000-0000-000000000000')"
	case "Enum8", "Enum16":
		if len(base.Args) > 0 && base.Args[0].IsStr {
			return QuoteString(base.Args[0].Str)
		}
		return "''"
	}
	return "0"
}
