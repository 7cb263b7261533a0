package bench

import (
	"fmt"
	"strings"

	"github.com/canonic-data/canonic/internal/warehouse"
)

// IngestSQL is the engine's own ingest of the same records, the baseline
// of the end-to-end benchmark: one INSERT ... SELECT that reads the
// records from a JSONEachRow file and computes every column of the
// generated table with ClickHouse expressions, the record hash included
// (the canonical encoding of maprt.Hasher, built with unhex/char/concat,
// then SHA256), and the SCD columns of a first load (a current version
// starting at the version column, created_at = updated_at = now()).
//
// The columns and their source paths come from the same mapping plan as
// the generic mapper; versionColumn is the column versions start at.
func IngestSQL(g *Generic, db, table, versionColumn, path string) (string, error) {
	// The file's structure: one entry per top-level JSON key the mapping
	// reads; objects are read as their JSON text.
	var structure []string
	topType := map[string]string{}
	var order []string
	for _, c := range g.cols {
		if c.path == nil {
			continue
		}
		top := c.path[0]
		if _, ok := topType[top]; ok {
			continue
		}
		t := "Nullable(String)"
		if len(c.path) == 1 {
			t = leafType(c)
		}
		topType[top] = t
		order = append(order, top)
	}
	for _, k := range order {
		structure = append(structure, warehouse.QuoteIdent(k)+" "+topType[k])
	}

	var inner, outer, hashParts, names []string
	for _, c := range g.cols {
		names = append(names, warehouse.QuoteIdent(c.name))
		alias := warehouse.QuoteIdent("c_" + c.name)
		var val string
		switch {
		case c.path == nil:
			val = "CAST(NULL AS Nullable(String))"
		case len(c.path) == 1:
			val = warehouse.QuoteIdent(c.path[0])
		default:
			keys := make([]string, 0, len(c.path)-1)
			for _, k := range c.path[1:] {
				keys = append(keys, warehouse.QuoteString(k))
			}
			val = fmt.Sprintf("JSONExtract(%s, %s, %s)", warehouse.QuoteIdent(c.path[0]), strings.Join(keys, ", "), warehouse.QuoteString(leafType(c)))
		}
		switch {
		case c.typ == "datetime":
			val = fmt.Sprintf("parseDateTimeBestEffortOrNull(%s, 'UTC')", val)
		case c.convert == "int_to_string":
			val = fmt.Sprintf("toString(%s)", val)
		case c.typ == "bool":
			val = fmt.Sprintf("toUInt8(%s)", val)
		}
		if !c.nullable {
			val = fmt.Sprintf("assumeNotNull(%s)", val)
		}
		inner = append(inner, val+" AS "+alias)
		outer = append(outer, alias)
	}
	for _, i := range g.hashed {
		c := &g.cols[i]
		x := warehouse.QuoteIdent("c_" + c.name)
		enc := hashEncoding(c.typ, "assumeNotNull("+x+")")
		if c.nullable {
			hashParts = append(hashParts, fmt.Sprintf("if(isNull(%s), char(0), concat(char(1), %s))", x, enc))
		} else {
			hashParts = append(hashParts, fmt.Sprintf("concat(char(1), %s)", hashEncoding(c.typ, x)))
		}
	}
	version := warehouse.QuoteIdent("c_" + versionColumn)
	names = append(names, "`effective_start_date`", "`effective_end_date`", "`is_current`", "`created_at`", "`updated_at`", "`record_hash`")
	outer = append(outer, version, "NULL", "1", "now('UTC')", "now('UTC')",
		"lower(hex(SHA256(concat("+strings.Join(hashParts, ", ")+"))))")
	q := fmt.Sprintf("INSERT INTO %s.%s (%s)\nSELECT %s\nFROM (SELECT %s\n  FROM file(%s, 'JSONEachRow', %s))\nSETTINGS input_format_skip_unknown_fields = 1, input_format_json_read_objects_as_strings = 1, optimize_on_insert = 0",
		warehouse.QuoteIdent(db), warehouse.QuoteIdent(table), strings.Join(names, ", "),
		strings.Join(outer, ", "), strings.Join(inner, ",\n  "),
		warehouse.QuoteString(path), warehouse.QuoteString(strings.Join(structure, ", ")))
	return q, nil
}

// leafType is the ClickHouse type a column's JSON leaf is read as.
func leafType(c genCol) string {
	switch {
	case c.convert == "int_to_string", c.typ == "int64":
		return "Nullable(Int64)"
	case c.typ == "float64":
		return "Nullable(Float64)"
	case c.typ == "bool":
		return "Nullable(Bool)"
	}
	return "Nullable(String)" // string, enum, datetime
}

// hashEncoding is the SQL of maprt.Hasher's encoding of a non-NULL value
// x of canonical type typ, after the 0x01 marker.
func hashEncoding(typ, x string) string {
	be64 := func(u string) string { return fmt.Sprintf("unhex(leftPad(hex(%s), 16, '0'))", u) }
	switch typ {
	case "int64":
		return be64("reinterpretAsUInt64(toInt64(" + x + "))")
	case "float64":
		return be64("reinterpretAsUInt64(toFloat64(" + x + ") + 0.)") // -0 + 0 = +0
	case "bool":
		return "char(toUInt8(" + x + "))"
	case "datetime":
		return be64("toUInt64(toUnixTimestamp(" + x + "))")
	}
	// string, enum: uvarint byte length, then the bytes.
	s := "toString(" + x + ")"
	n := "length(" + s + ")"
	return fmt.Sprintf("concat(multiIf(%[1]s < 128, char(%[1]s), %[1]s < 16384, char(%[1]s %% 128 + 128, intDiv(%[1]s, 128)), char(%[1]s %% 128 + 128, intDiv(%[1]s, 128) %% 128 + 128, intDiv(%[1]s, 16384))), %[2]s)", n, s)
}
