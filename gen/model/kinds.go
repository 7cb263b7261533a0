package model

import (
	"fmt"
	"strings"

	"github.com/canonic-data/canonic/internal/chschema"
)

// KindSpec is one canonical type: everything the compiler and the code
// it generates know about it. The golang and sqlddl emitters, the schema
// snapshot and the source checks read these fields and switch on no
// Kind: adding a type is adding one entry to kindSpecs (and, when it needs
// one, a runtime function the entry names). TestKindSpecsComplete fails
// when an entry leaves a field empty.
type KindSpec struct {
	Kind Kind
	// Name is the type as a mapping writes it ("int32", "decimal(P,S)").
	Name string
	// Key says a column of this kind can be the business key (an integer
	// that table.Table.Key widens to int64).
	Key bool
	// Canonical spells a type of this kind with its parameters, as the
	// record hash definition records it ("decimal(18,4)").
	Canonical func(t Type) string
	// GoPkg is the import name of the Go type's package ("time"; "" for a
	// predeclared type) and GoName the type ("Time", "int32"): the type of a
	// non-NULL value; a nullable column is database/sql.Null of it.
	GoPkg, GoName string
	// ClickHouse renders the column type on target (18.16 has no Bool).
	ClickHouse func(t Type, target Target) string
	// Driver names the internal/maprt functions that turn a value (and a
	// sql.Null of it) into what clickhouse-go's batch.Append takes for the
	// column on target; "" passes the value (maprt.Nullable the Null).
	Driver func(target Target) (value, nullable string)
	// AppendRowBinary appends one non-NULL value: Pkg.Func(dst, v, Args...).
	AppendRowBinary Call
	// ReadRowBinary reads one non-NULL value from the reader rd: rd.Func()
	// for a method (Pkg ""), Pkg.Func(rd, Args...) otherwise.
	ReadRowBinary Call
	// Hash folds one non-NULL value into the record hash:
	// h.Func(Widen(v), Args...) on an internal/maprt.Hasher.
	Hash Call
	// Sources says which source values read as this kind: the first rule
	// that matches a source decides (see SourceRule).
	Sources []SourceRule
	// FromSource converts a decoded source value, by how the source struct
	// holds it, into the Go value: Pkg.Func(v, Args...) (returning an error
	// too when Fails), Widen(v), or v itself when Func and Widen are empty.
	FromSource map[Repr]Call
}

// Call is a runtime function or method the generated code calls on a value.
type Call struct {
	Pkg   string // import name of the function's package; "" for a method of the receiver
	Func  string // function or method name; "" for no call
	Args  []Arg  // arguments after the value
	Widen string // a Go conversion applied to the value first ("int64")
	Fails bool   // the call returns (value, error)
}

// Arg is an argument of a Call taken from the column's type.
type Arg int

// The arguments a Call can take after the value.
const (
	ArgPrecision Arg = iota + 1 // the decimal precision, an int literal
	ArgScale                    // the decimal scale, an int literal
	ArgEnum                     // the generated package's variable of the enum's values
)

// Repr is how the generated source struct holds a JSON leaf.
type Repr int

// The source representations.
const (
	ReprString  Repr = iota + 1 // *string
	ReprInt64                   // *int64: a JSON integer
	ReprFloat64                 // *float64: a JSON number
	ReprNumber                  // *maprt.Number: a number kept as its text, for decimals
	ReprBool                    // *bool
)

// SourceRule is one kind of source value a canonical type accepts. A rule
// matches a source of JSON type JSONType (with Format, when set, and a
// declared enum, when Enum). Then the source is read directly when
// Convert and Refuse are unset; needs `convert: Convert` when Convert is
// set (Why, if any, is said first); and cannot be read when Refuse (Why
// says what to do instead).
type SourceRule struct {
	JSONType string
	Format   string
	Enum     bool
	Convert  Conversion
	Refuse   bool
	Why      string
}

// kindSpecs is THE table of canonical types, in the order README.md and
// KindNames list them.
var kindSpecs = []KindSpec{
	{
		Kind: Int32, Name: "int32", Key: true, Canonical: fixedName("int32"), GoName: "int32",
		ClickHouse: fixed("Int32"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendInt32"},
		ReadRowBinary:   Call{Func: "Int32"},
		Hash:            Call{Func: "Int64", Widen: "int64"},
		Sources: []SourceRule{
			{JSONType: "integer", Format: "int32"},
			{JSONType: "integer", Refuse: true, Why: "the source may exceed int32: use type int64"},
		},
		FromSource: map[Repr]Call{ReprInt64: {Pkg: "maprt", Func: "ToInt32", Fails: true}},
	},
	{
		Kind: Int64, Name: "int64", Key: true, Canonical: fixedName("int64"), GoName: "int64",
		ClickHouse: fixed("Int64"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendInt64"},
		ReadRowBinary:   Call{Func: "Int64"},
		Hash:            Call{Func: "Int64"},
		Sources:         []SourceRule{{JSONType: "integer"}},
		FromSource:      map[Repr]Call{ReprInt64: {}},
	},
	{
		Kind: Float64, Name: "float64", Canonical: fixedName("float64"), GoName: "float64",
		ClickHouse: fixed("Float64"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendFloat64"},
		ReadRowBinary:   Call{Func: "Float64"},
		Hash:            Call{Func: "Float64"},
		Sources:         []SourceRule{{JSONType: "number"}, {JSONType: "integer"}},
		FromSource: map[Repr]Call{
			ReprFloat64: {Pkg: "maprt", Func: "FromFloat", Fails: true},
			ReprInt64:   {Widen: "float64"},
			ReprNumber:  {Pkg: "maprt", Func: "NumberToFloat", Fails: true},
		},
	},
	{
		Kind: Decimal, Name: "decimal(P,S)", GoPkg: "decimal", GoName: "Decimal",
		Canonical: func(t Type) string { return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale) },
		ClickHouse: func(t Type, _ Target) string {
			return fmt.Sprintf("Decimal(%d, %d)", t.Precision, t.Scale)
		},
		Driver:          passThrough,
		AppendRowBinary: Call{Pkg: "maprt", Func: "AppendDecimal", Args: []Arg{ArgPrecision, ArgScale}},
		ReadRowBinary:   Call{Func: "Decimal", Args: []Arg{ArgPrecision, ArgScale}},
		Hash:            Call{Func: "Decimal", Args: []Arg{ArgScale}},
		Sources: []SourceRule{
			{JSONType: "number", Convert: ConvertNumberToDecimal},
			{JSONType: "integer", Convert: ConvertNumberToDecimal},
		},
		FromSource: map[Repr]Call{ReprNumber: {Pkg: "maprt", Func: "ParseDecimal", Args: []Arg{ArgPrecision, ArgScale}, Fails: true}},
	},
	{
		Kind: String, Name: "string", Canonical: fixedName("string"), GoName: "string",
		ClickHouse: fixed("String"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendString"},
		ReadRowBinary:   Call{Func: "String"},
		Hash:            Call{Func: "String"},
		Sources:         []SourceRule{{JSONType: "string"}, {JSONType: "integer", Convert: ConvertIntToString}},
		FromSource:      map[Repr]Call{ReprString: {}, ReprInt64: {Pkg: "maprt", Func: "IntToString"}},
	},
	{
		Kind: Bool, Name: "bool", Canonical: fixedName("bool"), GoName: "bool",
		ClickHouse: func(_ Type, target Target) string {
			if target.Has(FeatureBool) {
				return "Bool"
			}
			return "UInt8"
		},
		Driver: func(target Target) (string, string) {
			if target.Has(FeatureBool) {
				return "", ""
			}
			return "BoolUInt8", "NullableBoolUInt8"
		},
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendBool"},
		ReadRowBinary:   Call{Func: "Bool"},
		Hash:            Call{Func: "Bool"},
		Sources:         []SourceRule{{JSONType: "boolean"}},
		FromSource:      map[Repr]Call{ReprBool: {}},
	},
	{
		Kind: DateTime, Name: "datetime", Canonical: fixedName("datetime"), GoPkg: "time", GoName: "Time",
		ClickHouse: fixed("DateTime('UTC')"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendDateTime"},
		ReadRowBinary:   Call{Func: "DateTime"},
		Hash:            Call{Func: "DateTime"},
		Sources: []SourceRule{
			{JSONType: "string", Format: "date-time"},
			{JSONType: "string", Convert: ConvertStringToDateTime, Why: "the spec declares a plain string; "},
		},
		FromSource: map[Repr]Call{ReprString: {Pkg: "maprt", Func: "ParseDateTime", Fails: true}},
	},
	{
		Kind: Date, Name: "date", Canonical: fixedName("date"), GoPkg: "time", GoName: "Time",
		ClickHouse: fixed("Date"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendDate"},
		ReadRowBinary:   Call{Func: "Date"},
		Hash:            Call{Func: "Date"},
		Sources: []SourceRule{
			{JSONType: "string", Format: "date"},
			{JSONType: "string", Convert: ConvertStringToDate},
		},
		FromSource: map[Repr]Call{ReprString: {Pkg: "maprt", Func: "ParseDate", Fails: true}},
	},
	{
		Kind: Enum, Name: "enum", GoName: "string",
		Canonical: func(t Type) string { return "enum(" + strings.Join(t.Values, ",") + ")" },
		ClickHouse: func(t Type, _ Target) string {
			parts := make([]string, len(t.Values))
			for i, v := range t.Values {
				parts[i] = fmt.Sprintf("%s = %d", chschema.QuoteString(v), i+1)
			}
			return "Enum8(" + strings.Join(parts, ", ") + ")"
		},
		Driver:          passThrough,
		AppendRowBinary: Call{Pkg: "maprt", Func: "AppendEnum8", Args: []Arg{ArgEnum}},
		ReadRowBinary:   Call{Pkg: "maprt", Func: "ReadEnum8", Args: []Arg{ArgEnum}, Fails: true},
		Hash:            Call{Func: "String"},
		Sources: []SourceRule{
			{JSONType: "string", Enum: true},
			{JSONType: "string", Convert: ConvertStringToEnum, Why: "the spec declares no enum for it; "},
		},
		FromSource: map[Repr]Call{ReprString: {Pkg: "maprt", Func: "CheckEnum", Args: []Arg{ArgEnum}, Fails: true}},
	},
	{
		Kind: UUID, Name: "uuid", Canonical: fixedName("uuid"), GoPkg: "uuid", GoName: "UUID",
		ClickHouse: fixed("UUID"), Driver: passThrough,
		AppendRowBinary: Call{Pkg: "rowbinary", Func: "AppendUUID"},
		ReadRowBinary:   Call{Func: "UUID"},
		Hash:            Call{Func: "UUID"},
		Sources: []SourceRule{
			{JSONType: "string", Format: "uuid"},
			{JSONType: "string", Convert: ConvertStringToUUID},
		},
		FromSource: map[Repr]Call{ReprString: {Pkg: "maprt", Func: "ParseUUID", Fails: true}},
	},
}

func fixed(s string) func(Type, Target) string { return func(Type, Target) string { return s } }

func fixedName(s string) func(Type) string { return func(Type) string { return s } }

func passThrough(Target) (string, string) { return "", "" }

// kindIndex finds a Kind's entry.
var kindIndex = func() map[Kind]*KindSpec {
	m := make(map[Kind]*KindSpec, len(kindSpecs))
	for i := range kindSpecs {
		m[kindSpecs[i].Kind] = &kindSpecs[i]
	}
	return m
}()

// Spec returns k's entry of the canonical type table.
func (k Kind) Spec() *KindSpec { return kindIndex[k] }

// KindSpecs returns the canonical type table in order.
func KindSpecs() []KindSpec { return kindSpecs }

// KeyKindNames lists the kinds a key column may have.
func KeyKindNames() []string {
	var out []string
	for _, s := range kindSpecs {
		if s.Key {
			out = append(out, s.Name)
		}
	}
	return out
}

// KindNames lists the canonical type names as a mapping spells them.
func KindNames() []string {
	out := make([]string, len(kindSpecs))
	for i, s := range kindSpecs {
		out[i] = s.Name
	}
	return out
}

func (k Kind) String() string {
	if s := k.Spec(); s != nil {
		return s.Name
	}
	return ""
}

// Source says whether a source of JSON type jsonType (with format, and a
// declared enum when hasEnum) reads directly as k; when not, advice says
// what to do (add a conversion, or choose another type).
func (k Kind) Source(jsonType, format string, hasEnum bool) (direct bool, advice string) {
	for _, r := range k.Spec().Sources {
		if r.JSONType != jsonType || r.Format != "" && r.Format != format || r.Enum && !hasEnum {
			continue
		}
		switch {
		case r.Refuse:
			return false, r.Why
		case r.Convert != ConvertNone:
			return false, r.Why + fmt.Sprintf("add convert: %s", r.Convert)
		}
		return true, ""
	}
	return false, "no conversion exists: choose a source of a compatible type"
}

// conversion is what a `convert:` value reads and produces, from the
// table's SourceRules.
type conversion struct {
	from []string
	to   Kind
}

// conversions lists each conversion's source JSON types and target kind,
// gathered from kindSpecs; conversionNames the conversions in table order.
var conversions, conversionNames = func() (map[Conversion]conversion, []string) {
	m := map[Conversion]conversion{}
	var names []string
	for _, s := range kindSpecs {
		for _, r := range s.Sources {
			if r.Convert == ConvertNone {
				continue
			}
			c, seen := m[r.Convert]
			if !seen {
				names = append(names, string(r.Convert))
			}
			c.to = s.Kind
			c.from = append(c.from, r.JSONType)
			m[r.Convert] = c
		}
	}
	return m, names
}()

// ConversionNames lists the valid `convert:` values.
func ConversionNames() []string { return conversionNames }

// Repr is how the generated source struct holds the leaf n: a number a
// decimal reads (AsText) as its text, else by its JSON type.
func (n *SourceNode) Repr() Repr {
	switch {
	case n.AsText:
		return ReprNumber
	case n.JSONType == "integer":
		return ReprInt64
	case n.JSONType == "number":
		return ReprFloat64
	case n.JSONType == "boolean":
		return ReprBool
	}
	return ReprString
}
