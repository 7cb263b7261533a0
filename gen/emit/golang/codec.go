package golang

import (
	"github.com/dave/jennifer/jen"

	"github.com/canonic-data/canonic/gen/model"
)

const (
	pkgSQL       = "database/sql"
	pkgTime      = "time"
	pkgDecimal   = "github.com/shopspring/decimal"
	pkgUUID      = "github.com/google/uuid"
	pkgTable     = "github.com/canonic-data/canonic/internal/table"
	pkgMaprt     = "github.com/canonic-data/canonic/internal/maprt"
	pkgRowBinary = "github.com/canonic-data/canonic/internal/rowbinary"
	pkgBackfill  = "github.com/canonic-data/canonic/internal/backfill"
)

// importNames pins stable import names so output never depends on
// jennifer's guesses.
var importNames = map[string]string{
	pkgSQL: "sql", pkgTime: "time", pkgDecimal: "decimal", pkgUUID: "uuid", pkgTable: "table",
	pkgMaprt: "maprt", pkgRowBinary: "rowbinary", pkgBackfill: "backfill", "os": "os", "embed": "embed",
}

// baseType is the Go type of a non-nullable value of kind k.
func baseType(t model.Type) jen.Code {
	switch t.Kind {
	case model.Int32:
		return jen.Int32()
	case model.Int64:
		return jen.Int64()
	case model.Float64:
		return jen.Float64()
	case model.Decimal:
		return jen.Qual(pkgDecimal, "Decimal")
	case model.Bool:
		return jen.Bool()
	case model.DateTime, model.Date:
		return jen.Qual(pkgTime, "Time")
	case model.UUID:
		return jen.Qual(pkgUUID, "UUID")
	default: // String, Enum
		return jen.String()
	}
}

// goType is the struct field type: sql.Null[T] when nullable.
func goType(t model.Type) jen.Code {
	if t.Nullable {
		return jen.Qual(pkgSQL, "Null").Types(baseType(t))
	}
	return baseType(t)
}

// sourceLeafType is the source struct's field type for a JSON leaf: a
// pointer, so that a missing key and JSON null both read as nil.
func sourceLeafType(n *model.SourceNode) jen.Code {
	switch {
	case n.AsText:
		return jen.Op("*").Qual(pkgMaprt, "Number")
	case n.JSONType == "integer":
		return jen.Op("*").Int64()
	case n.JSONType == "number":
		return jen.Op("*").Float64()
	case n.JSONType == "boolean":
		return jen.Op("*").Bool()
	default:
		return jen.Op("*").String()
	}
}

// hashValue encodes one non-NULL value into the hasher h:
//
//	h.Int64(int64(v))
func hashValue(t model.Type, v *jen.Statement) jen.Code {
	h := jen.Id("h")
	switch t.Kind {
	case model.Int32:
		return h.Dot("Int64").Call(jen.Int64().Call(v))
	case model.Int64:
		return h.Dot("Int64").Call(v)
	case model.Float64:
		return h.Dot("Float64").Call(v)
	case model.Decimal:
		return h.Dot("Decimal").Call(v, jen.Lit(t.Scale))
	case model.Bool:
		return h.Dot("Bool").Call(v)
	case model.DateTime:
		return h.Dot("DateTime").Call(v)
	case model.Date:
		return h.Dot("Date").Call(v)
	case model.UUID:
		return h.Dot("UUID").Call(v)
	default:
		return h.Dot("String").Call(v)
	}
}

// appendRowBinaryValue appends one non-NULL value to dst:
//
//	dst = rowbinary.AppendInt64(dst, v)
func appendRowBinaryValue(t model.Type, v *jen.Statement, enumVar string) jen.Code {
	call := func(fn string, args ...jen.Code) jen.Code {
		return jen.Id("dst").Op("=").Qual(pkgRowBinary, fn).Call(append([]jen.Code{jen.Id("dst")}, args...)...)
	}
	switch t.Kind {
	case model.Int32:
		return call("AppendInt32", v)
	case model.Int64:
		return call("AppendInt64", v)
	case model.Float64:
		return call("AppendFloat64", v)
	case model.Decimal:
		return jen.Id("dst").Op("=").Qual(pkgMaprt, "AppendDecimal").Call(jen.Id("dst"), v, jen.Lit(t.Precision), jen.Lit(t.Scale))
	case model.Bool:
		return call("AppendBool", v)
	case model.DateTime:
		return call("AppendDateTime", v)
	case model.Date:
		return call("AppendDate", v)
	case model.UUID:
		return call("AppendUUID", v)
	case model.Enum:
		return call("AppendEnum8", jen.Qual(pkgMaprt, "EnumCode").Call(v, jen.Id(enumVar)))
	default:
		return call("AppendString", v)
	}
}

// readRowBinaryValue is an expression reading one non-NULL value from rd
// (enums are read as codes; see readColumn).
func readRowBinaryValue(t model.Type) jen.Code {
	rd := jen.Id("rd")
	switch t.Kind {
	case model.Int32:
		return rd.Dot("Int32").Call()
	case model.Int64:
		return rd.Dot("Int64").Call()
	case model.Float64:
		return rd.Dot("Float64").Call()
	case model.Decimal:
		return rd.Dot("Decimal").Call(jen.Lit(t.Precision), jen.Lit(t.Scale))
	case model.Bool:
		return rd.Dot("Bool").Call()
	case model.DateTime:
		return rd.Dot("DateTime").Call()
	case model.Date:
		return rd.Dot("Date").Call()
	case model.UUID:
		return rd.Dot("UUID").Call()
	default:
		return rd.Dot("String").Call()
	}
}

// commentLines renders free text (a mapping description) as // comment
// lines made safe by model.CommentLines.
func commentLines(text string) []jen.Code {
	var out []jen.Code
	for _, line := range model.CommentLines(text) {
		if line == "" {
			out = append(out, jen.Comment("//"))
			continue
		}
		out = append(out, jen.Comment("// "+line))
	}
	return out
}
