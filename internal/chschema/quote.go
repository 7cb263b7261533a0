package chschema

import (
	"fmt"
	"strings"
)

// QuoteString renders s as a ClickHouse string literal: single quotes,
// with backslash, quote and control characters escaped, so any text
// (newlines, quotes, backticks, unicode) stays inside the literal.
func QuoteString(s string) string { return quote(s, '\'') }

// QuoteIdent renders a name as a backquoted ClickHouse identifier, escaped
// the way QuoteString escapes strings.
func QuoteIdent(name string) string { return quote(name, '`') }

// quote is the one escaping rule of both: see the package doc.
func quote(s string, q rune) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteRune(q)
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case q:
			b.WriteByte('\\')
			b.WriteRune(q)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\x%02X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteRune(q)
	return b.String()
}
