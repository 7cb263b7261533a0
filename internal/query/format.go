package query

import (
	"fmt"
	"regexp"
	"strings"
)

// TableFormat is the pseudo-format of a readable aligned table, the
// default on a terminal. It is rendered here from TabSeparatedWithNamesAndTypes.
const TableFormat = "table"

// DefaultFormat is the output format when stdout is not a terminal.
const DefaultFormat = "TabSeparated"

// binaryFormats are ClickHouse output formats that are not text (compared
// case-insensitively; names ending in a '*' are prefixes).
var binaryFormats = []string{
	"Arrow*", "Avro", "BSONEachRow", "CapnProto", "MsgPack", "Native", "Npy", "ORC",
	"Parquet", "Protobuf*", "RawBLOB", "RowBinary*",
}

// IsBinary reports whether format writes bytes that are not text.
func IsBinary(format string) bool {
	for _, b := range binaryFormats {
		if p, ok := strings.CutSuffix(b, "*"); ok {
			if len(format) >= len(p) && strings.EqualFold(format[:len(p)], p) {
				return true
			}
		} else if strings.EqualFold(format, b) {
			return true
		}
	}
	return false
}

// formatClause matches a FORMAT clause ending a statement.
var formatClause = regexp.MustCompile(`(?i)\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$`)

// FormatClause returns the format named by the FORMAT clause ending sql,
// "" when there is none. The engine writes that format whatever it is
// asked for.
func FormatClause(sql string) string {
	if m := formatClause.FindStringSubmatch(sql); m != nil {
		return m[1]
	}
	return ""
}

// ChooseFormat returns the format to run sql with: the requested one, or
// when it is empty the aligned table on a terminal and TabSeparated
// otherwise. A binary format to a terminal is refused, whether requested
// or named by the SQL's own FORMAT clause.
func ChooseFormat(sql, requested string, terminal bool) (string, error) {
	if clause := FormatClause(sql); clause != "" {
		if terminal && IsBinary(clause) {
			return "", fmt.Errorf("the query's FORMAT %s is binary and stdout is a terminal: write it to a file with --output FILE or redirect stdout", clause)
		}
		if requested == "" || requested == TableFormat {
			return clause, nil
		}
	}
	switch {
	case requested == "" && terminal:
		return TableFormat, nil
	case requested == "":
		return DefaultFormat, nil
	case terminal && IsBinary(requested):
		return "", fmt.Errorf("format %s is binary and stdout is a terminal: write it to a file with --output FILE or redirect stdout", requested)
	}
	return requested, nil
}
