package emit

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/model"
)

// MaxStatementBytes is the longest DDL statement generate emits:
// ClickHouse's default max_query_size (256 KiB). The runtime sends each
// statement of a generated .sql file (its text up to ";\n", leading
// comments included) as one query, and ClickHouse refuses a longer one
// with "Max query size exceeded", so the table could never be created or
// migrated.
const MaxStatementBytes = 256 << 10

// checkStatementSizes refuses a generated SQL file (name, for the
// message) holding a statement longer than MaxStatementBytes. The problem
// is reported where the mapping states the longest text of the table (its
// description or a column's) when shortening that text alone can fix it,
// else at the table's first column: there are too many columns.
func checkStatementSizes(t *model.Table, name string, sql []byte) error {
	for _, stmt := range bytes.SplitAfter(sql, []byte(";\n")) {
		if len(stmt) <= MaxStatementBytes {
			continue
		}
		var l diag.List
		over := fmt.Sprintf("the %s statement of %s %d bytes, over the %d bytes ClickHouse accepts in one query (max_query_size, by default), so every load would fail",
			statementKind(stmt), name, len(stmt), MaxStatementBytes)
		if pos, what, size := longestText(t); size >= len(stmt)-MaxStatementBytes || len(t.Columns) == 0 {
			l.Add(pos, "%s is %d bytes: it makes %s; shorten it", what, size, over)
		} else {
			l.Add(t.Columns[0].Pos, "the table's %d columns make %s; split the table or shorten its descriptions", len(t.Columns), over)
		}
		return l.Err()
	}
	return nil
}

// longestText returns the position, a name and the length of the longest
// description of t (the table's or a column's).
func longestText(t *model.Table) (diag.Pos, string, int) {
	pos, what, size := t.DescriptionPos, "the table's description", len(t.Description)
	for _, c := range t.Columns {
		if len(c.Comment()) > size {
			pos, what, size = c.DescriptionPos, "the description of column "+c.Name, len(c.Comment())
		}
	}
	if pos.File == "" {
		pos = diag.Pos{File: t.Mapping, Line: 1, Col: 1}
	}
	return pos, what, size
}

// statementKind names a statement by its first two words after any
// comment lines ("CREATE TABLE", "ALTER TABLE").
func statementKind(stmt []byte) string {
	for _, line := range strings.Split(string(stmt), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		words := strings.Fields(line)
		return strings.Join(words[:min(2, len(words))], " ")
	}
	return "SQL"
}
