package golang

import (
	"fmt"

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

// importPaths resolves import names, as the canonical type table
// (model.KindSpecs) names packages, to paths.
var importPaths = func() map[string]string {
	m := make(map[string]string, len(importNames))
	for path, name := range importNames {
		m[name] = path
	}
	return m
}()

// baseType is the Go type of a non-nullable value of t's kind.
func baseType(t model.Type) jen.Code {
	spec := t.Kind.Spec()
	if spec.GoPkg == "" {
		return jen.Id(spec.GoName)
	}
	return jen.Qual(importPaths[spec.GoPkg], spec.GoName)
}

// goType is the struct field type: sql.Null[T] when nullable.
func goType(t model.Type) jen.Code {
	if t.Nullable {
		return jen.Qual(pkgSQL, "Null").Types(baseType(t))
	}
	return baseType(t)
}

// reprs are, by representation, the source struct's leaf value type (the
// field is a pointer to it, so that a missing key and JSON null both read
// as nil), the fast decoder's array of such values in one allocation and
// the maprt.Lexer method that reads one (see decodeSourceFunc).
var reprs = map[model.Repr]struct {
	elem  func() jen.Code
	array string
	read  string
}{
	model.ReprNumber:  {func() jen.Code { return jen.Qual(pkgMaprt, "Number") }, "numbers", "Number"},
	model.ReprInt64:   {func() jen.Code { return jen.Int64() }, "ints", "Int64"},
	model.ReprFloat64: {func() jen.Code { return jen.Float64() }, "floats", "Float64"},
	model.ReprBool:    {func() jen.Code { return jen.Bool() }, "bools", "Bool"},
	model.ReprString:  {func() jen.Code { return jen.String() }, "strings", "String"},
}

// sourceLeafType is the source struct's field type for a JSON leaf.
func sourceLeafType(n *model.SourceNode) jen.Code { return jen.Op("*").Add(reprs[n.Repr()].elem()) }

// callArgs are a table Call's arguments after the value, for a column of
// type t whose enum values are in the variable enumVar.
func callArgs(c model.Call, t model.Type, enumVar string) []jen.Code {
	var out []jen.Code
	for _, a := range c.Args {
		switch a {
		case model.ArgPrecision:
			out = append(out, jen.Lit(t.Precision))
		case model.ArgScale:
			out = append(out, jen.Lit(t.Scale))
		case model.ArgEnum:
			out = append(out, jen.Id(enumVar))
		}
	}
	return out
}

// widen applies a Call's Go conversion to v: int64(v).
func widen(c model.Call, v jen.Code) jen.Code {
	if c.Widen == "" {
		return v
	}
	return jen.Id(c.Widen).Call(v)
}

// hashValue encodes one non-NULL value into the hasher h:
//
//	h.Int64(int64(v))
func hashValue(t model.Type, v *jen.Statement, enumVar string) jen.Code {
	c := t.Kind.Spec().Hash
	return jen.Id("h").Dot(c.Func).Call(append([]jen.Code{widen(c, v)}, callArgs(c, t, enumVar)...)...)
}

// appendRowBinaryValue appends one non-NULL value to dst:
//
//	dst = rowbinary.AppendInt64(dst, v)
func appendRowBinaryValue(t model.Type, v *jen.Statement, enumVar string) jen.Code {
	c := t.Kind.Spec().AppendRowBinary
	args := append([]jen.Code{jen.Id("dst"), widen(c, v)}, callArgs(c, t, enumVar)...)
	return jen.Id("dst").Op("=").Qual(importPaths[c.Pkg], c.Func).Call(args...)
}

// readRowBinaryValue is an expression reading one non-NULL value from rd,
// rd.Int64() or maprt.ReadEnum8(rd, enumStatus); fails says it returns
// (value, error).
func readRowBinaryValue(t model.Type, enumVar string) (read jen.Code, fails bool) {
	c := t.Kind.Spec().ReadRowBinary
	if c.Pkg == "" {
		return jen.Id("rd").Dot(c.Func).Call(callArgs(c, t, enumVar)...), c.Fails
	}
	return jen.Qual(importPaths[c.Pkg], c.Func).Call(append([]jen.Code{jen.Id("rd")}, callArgs(c, t, enumVar)...)...), c.Fails
}

// fromSource converts the decoded source value v of column c: a plain
// value expression (no conversion can fail) or a call returning (value,
// error).
func fromSource(c *model.Column, v *jen.Statement) (value *jen.Statement, call *jen.Statement) {
	conv, ok := c.Type.Kind.Spec().FromSource[c.Source.Leaf.Repr()]
	if !ok {
		panic(fmt.Sprintf("unreachable: model validated that %s reads as %s", c.Source.Path, c.Type.Kind))
	}
	if conv.Func == "" {
		return jen.Add(widen(conv, v)), nil
	}
	expr := jen.Qual(importPaths[conv.Pkg], conv.Func).Call(append([]jen.Code{widen(conv, v)}, callArgs(conv, c.Type, enumVar(c))...)...)
	if conv.Fails {
		return nil, expr
	}
	return expr, nil
}
