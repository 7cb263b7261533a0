package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
)

// Kind is a canonical column type.
type Kind int

// The canonical types. Everything else about them is in kindSpecs
// (kinds.go).
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
	numKinds // keep last: TestKindSpecsComplete checks every kind before it
)

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
	s := t.Kind.Spec().Canonical(t)
	if t.Nullable {
		s += "?"
	}
	return s
}

// ClickHouse renders the column type for target.
func (t Type) ClickHouse(target Target) string {
	s := t.Kind.Spec().ClickHouse(t, target)
	if t.Nullable {
		return "Nullable(" + s + ")"
	}
	return s
}

// GoType is the Go type of a column of this type, as package-qualified
// text ("time.Time", "sql.Null[string]").
func (t Type) GoType() string {
	spec := t.Kind.Spec()
	g := spec.GoName
	if spec.GoPkg != "" {
		g = spec.GoPkg + "." + g
	}
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
	for _, spec := range kindSpecs {
		if spec.Name == name {
			return Type{Kind: spec.Kind}, nil
		}
	}
	if s := diag.Suggest(name, KindNames()); s != "" && s != "decimal(P,S)" {
		return Type{}, fmt.Errorf("unknown type %q (did you mean %q?)", name, s)
	}
	return Type{}, fmt.Errorf("unknown type %q (known types: %s)", name, strings.Join(KindNames(), ", "))
}
