package query

import (
	"fmt"
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

// ChooseFormat returns the format to run with: requested, or when it is
// empty the aligned table on a terminal and TabSeparated otherwise. A
// binary format to a terminal is refused.
func ChooseFormat(requested string, terminal bool) (string, error) {
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
