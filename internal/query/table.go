package query

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// tableSource is the format the aligned table is made from.
const tableSource = "TabSeparatedWithNamesAndTypes"

// maxCell is the widest a cell is shown in the table, in characters; longer
// values are cut with "...". --format TabSeparated shows them whole.
const maxCell = 60

// RenderTable writes TabSeparatedWithNamesAndTypes output as an aligned
// table with a header line, numbers right-aligned, NULL for \N, and a row
// count:
//
//	 id | summary          | status
//	----+------------------+--------
//	  1 | Printer on fire  | New
//	(1 row)
//
// A statement that returns no columns (DDL, INSERT) writes nothing.
func RenderTable(w io.Writer, tsv []byte) error {
	rows := splitRows(tsv)
	if len(rows) < 2 {
		return nil
	}
	names, types, data := rows[0], rows[1], rows[2:]
	if len(types) != len(names) {
		return fmt.Errorf("rendering the table: %d column names but %d types", len(names), len(types))
	}
	width := make([]int, len(names))
	right := make([]bool, len(names))
	for i, n := range names {
		width[i] = utf8.RuneCountInString(n)
		right[i] = isNumeric(types[i])
	}
	for r, row := range data {
		if len(row) != len(names) {
			return fmt.Errorf("rendering the table: row %d has %d values for %d columns", r+1, len(row), len(names))
		}
		for i, v := range row {
			row[i] = cell(v)
			width[i] = max(width[i], utf8.RuneCountInString(row[i]))
		}
	}
	var b bytes.Buffer
	line := func(vals []string, header bool) {
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" |")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(v))
			b.WriteByte(' ')
			if right[i] && !header {
				b.WriteString(pad + v)
			} else if i == len(vals)-1 {
				b.WriteString(v)
			} else {
				b.WriteString(v + pad)
			}
		}
		b.WriteByte('\n')
	}
	line(names, true)
	for i := range names {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(strings.Repeat("-", width[i]+2))
	}
	b.WriteByte('\n')
	for _, row := range data {
		line(row, false)
	}
	if len(data) == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", len(data))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// splitRows splits TabSeparated text into rows of raw (escaped) fields.
func splitRows(tsv []byte) [][]string {
	text := strings.TrimSuffix(string(tsv), "\n")
	if text == "" {
		return nil
	}
	var rows [][]string
	for _, l := range strings.Split(text, "\n") {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows
}

// cell turns one escaped TabSeparated field into what the table shows:
// NULL for \N, backslash escapes undone except those of control characters
// (a tab or newline stays \t or \n so rows stay on one line), cut at
// maxCell characters.
func cell(field string) string {
	if field == `\N` {
		return "NULL"
	}
	if strings.IndexByte(field, '\\') >= 0 {
		var b strings.Builder
		for i := 0; i < len(field); i++ {
			c := field[i]
			if c == '\\' && i+1 < len(field) {
				switch next := field[i+1]; next {
				case '\\', '\'', '"':
					b.WriteByte(next)
					i++
					continue
				}
			}
			b.WriteByte(c)
		}
		field = b.String()
	}
	if utf8.RuneCountInString(field) > maxCell {
		r := []rune(field)
		field = string(r[:maxCell-3]) + "..."
	}
	return field
}

// isNumeric reports whether a ClickHouse type (possibly Nullable) holds
// numbers, which the table right-aligns.
func isNumeric(typ string) bool {
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "Nullable("), ")")
	for _, p := range []string{"Int", "UInt", "Float", "Decimal"} {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}
