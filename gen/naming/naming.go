// Package naming is the one authority that turns mapping names (snake_case
// columns, camelCase JSON keys) into Go identifiers. Emitters never build
// identifiers from raw strings.
package naming

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are written in upper case inside Go names (ID, URL, ...),
// following the Go style guide and sqlc/protobuf-go.
var initialisms = map[string]bool{
	"api": true, "id": true, "ids": true, "url": true, "uri": true, "uuid": true, "http": true,
	"https": true, "json": true, "sql": true, "ip": true, "utc": true, "sla": true, "csv": true,
	"xml": true, "html": true, "ui": true,
}

// GoName turns a snake_case or camelCase name into an exported Go
// identifier: "ticket_number" -> "TicketNumber", "owner_id" -> "OwnerID",
// "_info" -> "Info", "subType" -> "SubType". The result is always a
// valid exported identifier (a leading digit gets an "X" prefix).
func GoName(name string) string {
	var b strings.Builder
	for _, w := range words(name) {
		lw := strings.ToLower(w)
		if initialisms[lw] {
			b.WriteString(strings.ToUpper(lw))
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	s := b.String()
	if s == "" {
		return "X"
	}
	if r := []rune(s)[0]; !unicode.IsLetter(r) {
		s = "X" + s
	}
	return s
}

// words splits on underscores, other non-alphanumerics and lower-to-upper
// case changes.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// IsSnakeIdent reports whether name is a lower snake_case identifier usable
// as a column or table name: [a-z][a-z0-9_]*, no double or trailing
// underscore.
func IsSnakeIdent(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return !strings.Contains(name, "__") && !strings.HasSuffix(name, "_")
}

// IsGoKeyword reports whether name is a Go keyword; such names cannot be
// package names.
func IsGoKeyword(name string) bool { return token.IsKeyword(name) }

// predeclared names would shadow builtins as package names.
var predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true, "int32": true,
	"int64": true, "rune": true, "string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "uintptr": true, "true": true, "false": true, "iota": true, "nil": true, "append": true,
	"cap": true, "clear": true, "close": true, "complex": true, "copy": true, "delete": true, "imag": true,
	"len": true, "make": true, "max": true, "min": true, "new": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true,
	// names the generated package itself declares or imports
	"main": true, "table": true, "time": true, "sql": true, "rowbinary": true, "maprt": true,
	"decimal": true, "uuid": true, "embed": true,
}

// IsReservedPackageName reports whether a table or service name cannot
// be used as a Go package name.
func IsReservedPackageName(name string) bool {
	return token.IsKeyword(name) || predeclared[name]
}

// CommandName is the backfill command of a table, and the directory of its
// main package under cmd/: "backfill-<service>-<table>" with underscores
// as dashes, e.g. ("connectwise", "time_entries") ->
// "backfill-connectwise-time-entries". The binary's -h and error messages
// use the same name (internal/table.Table.Command).
func CommandName(service, table string) string {
	return "backfill-" + strings.ReplaceAll(service, "_", "-") + "-" + strings.ReplaceAll(table, "_", "-")
}

// Unique returns name, or name with a numeric suffix, so that it is not in
// taken; it records the result in taken.
func Unique(name string, taken map[string]bool) string {
	candidate := name
	for i := 2; taken[candidate]; i++ {
		candidate = name + itoa(i)
	}
	taken[candidate] = true
	return candidate
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
