package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/internal/chschema"
)

// Kind is a canonical column type.
type Kind int

// The canonical types. Their Go and ClickHouse types are in kinds below.
const (
	Int32 Kind = iota + 1
	Int64
	Float64
	Decimal
	String
	Bool
	DateTime
	Date
	Enum
	UUID
)

// kindInfo is one row of the canonical type table.
type kindInfo struct {
	name string // as written in a mapping
	// goType is the Go type of a non-nullable column; a nullable column
	// is database/sql.Null[goType].
	goType string
	// clickhouse renders the ClickHouse type for a target.
	clickhouse func(t Type, target Target) string
}

// kinds is THE table of canonical types: mapping name, Go type, ClickHouse
// type. README.md documents the same table.
var kinds = map[Kind]kindInfo{
	Int32:   {"int32", "int32", fixed("Int32")},
	Int64:   {"int64", "int64", fixed("Int64")},
	Float64: {"float64", "float64", fixed("Float64")},
	Decimal: {"decimal(P,S)", "decimal.Decimal", func(t Type, _ Target) string {
		return fmt.Sprintf("Decimal(%d, %d)", t.Precision, t.Scale)
	}},
	String: {"string", "string", fixed("String")},
	Bool: {"bool", "bool", func(_ Type, target Target) string {
		if target.Has(FeatureBool) {
			return "Bool"
		}
		return "UInt8"
	}},
	DateTime: {"datetime", "time.Time", fixed("DateTime('UTC')")},
	Date:     {"date", "time.Time", fixed("Date")},
	Enum: {"enum", "string", func(t Type, _ Target) string {
		parts := make([]string, len(t.Values))
		for i, v := range t.Values {
			parts[i] = fmt.Sprintf("%s = %d", chschema.QuoteString(v), i+1)
		}
		return "Enum8(" + strings.Join(parts, ", ") + ")"
	}},
	UUID: {"uuid", "uuid.UUID", fixed("UUID")},
}

func fixed(s string) func(Type, Target) string { return func(Type, Target) string { return s } }

// KindNames lists the canonical type names as a mapping spells them.
func KindNames() []string {
	return []string{"int32", "int64", "float64", "decimal(P,S)", "string", "bool", "datetime", "date", "enum", "uuid"}
}

func (k Kind) String() string { return kinds[k].name }

// Type is a canonical type with its parameters.
type Type struct {
	Kind      Kind
	Precision int      // decimal
	Scale     int      // decimal
	Values    []string // enum, in declared order; codes are 1..n
	Nullable  bool
}

// Canonical spells the type as the mapping does, e.g. "decimal(18,4)",
// "enum(Low,Medium,High)", with "?" appended when nullable; it is part of
// the record hash definition.
func (t Type) Canonical() string {
	var s string
	switch t.Kind {
	case Decimal:
		s = fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case Enum:
		s = "enum(" + strings.Join(t.Values, ",") + ")"
	default:
		s = t.Kind.String()
	}
	if t.Nullable {
		s += "?"
	}
	return s
}

// ClickHouse renders the column type for target.
func (t Type) ClickHouse(target Target) string {
	s := kinds[t.Kind].clickhouse(t, target)
	if t.Nullable {
		return "Nullable(" + s + ")"
	}
	return s
}

// GoType is the Go type of a column of this type, as package-qualified
// text ("time.Time", "sql.Null[string]").
func (t Type) GoType() string {
	g := kinds[t.Kind].goType
	if t.Nullable {
		return "sql.Null[" + g + "]"
	}
	return g
}

// ParseType parses a mapping's type name. values are the enum values.
func ParseType(name string) (Type, error) {
	name = strings.TrimSpace(name)
	if strings.HasPrefix(name, "decimal") {
		inner, ok := strings.CutPrefix(name, "decimal(")
		if !ok || !strings.HasSuffix(inner, ")") {
			return Type{}, fmt.Errorf("decimal needs precision and scale: write decimal(P,S), e.g. decimal(18,4)")
		}
		p, s, ok := strings.Cut(strings.TrimSuffix(inner, ")"), ",")
		prec, err1 := strconv.Atoi(strings.TrimSpace(p))
		scale, err2 := strconv.Atoi(strings.TrimSpace(s))
		if !ok || err1 != nil || err2 != nil {
			return Type{}, fmt.Errorf("cannot read %q: write decimal(P,S) with integers, e.g. decimal(18,4)", name)
		}
		if prec < 1 || prec > 38 {
			return Type{}, fmt.Errorf("decimal precision %d out of range: ClickHouse allows 1 to 38", prec)
		}
		if scale < 0 || scale > prec {
			return Type{}, fmt.Errorf("decimal scale %d out of range: it must be between 0 and the precision %d", scale, prec)
		}
		return Type{Kind: Decimal, Precision: prec, Scale: scale}, nil
	}
	for k, info := range kinds {
		if info.name == name {
			return Type{Kind: k}, nil
		}
	}
	if s := diag.Suggest(name, KindNames()); s != "" && s != "decimal(P,S)" {
		return Type{}, fmt.Errorf("unknown type %q (did you mean %q?)", name, s)
	}
	return Type{}, fmt.Errorf("unknown type %q (known types: %s)", name, strings.Join(KindNames(), ", "))
}
