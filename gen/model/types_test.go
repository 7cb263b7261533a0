package model_test

import (
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/model"
)

func TestParseType(t *testing.T) {
	for _, c := range []struct {
		in         string
		canonical  string
		ch18, ch26 string
		goType     string
	}{
		{"int32", "int32", "Int32", "Int32", "int32"},
		{"int64", "int64", "Int64", "Int64", "int64"},
		{"float64", "float64", "Float64", "Float64", "float64"},
		{"decimal(18,4)", "decimal(18,4)", "Decimal(18, 4)", "Decimal(18, 4)", "decimal.Decimal"},
		{" decimal( 38 , 0 ) ", "decimal(38,0)", "Decimal(38, 0)", "Decimal(38, 0)", "decimal.Decimal"},
		{"decimal(1,1)", "decimal(1,1)", "Decimal(1, 1)", "Decimal(1, 1)", "decimal.Decimal"},
		{"string", "string", "String", "String", "string"},
		{"bool", "bool", "UInt8", "Bool", "bool"},
		{"datetime", "datetime", "DateTime('UTC')", "DateTime('UTC')", "time.Time"},
		{"date", "date", "Date", "Date", "time.Time"},
		{"uuid", "uuid", "UUID", "UUID", "uuid.UUID"},
		{"enum", "enum()", "Enum8()", "Enum8()", "string"},
	} {
		typ, err := model.ParseType(c.in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", c.in, err)
			continue
		}
		if got := typ.Canonical(); got != c.canonical {
			t.Errorf("ParseType(%q).Canonical() = %q, want %q", c.in, got, c.canonical)
		}
		if got := typ.ClickHouse(model.MinTarget); got != c.ch18 {
			t.Errorf("%s on 18.16 = %q, want %q", c.in, got, c.ch18)
		}
		if got := typ.ClickHouse(model.DefaultTarget); got != c.ch26 {
			t.Errorf("%s on 26.7 = %q, want %q", c.in, got, c.ch26)
		}
		if got := typ.GoType(); got != c.goType {
			t.Errorf("%s Go type = %q, want %q", c.in, got, c.goType)
		}
		typ.Nullable = true
		if got := typ.ClickHouse(model.MinTarget); got != "Nullable("+c.ch18+")" {
			t.Errorf("nullable %s = %q", c.in, got)
		}
		if got := typ.GoType(); got != "sql.Null["+c.goType+"]" {
			t.Errorf("nullable %s Go type = %q", c.in, got)
		}
		if got := typ.Canonical(); got != c.canonical+"?" {
			t.Errorf("nullable %s canonical = %q", c.in, got)
		}
	}
}

func TestParseTypeErrors(t *testing.T) {
	for in, want := range map[string]string{
		"decimal":         "decimal needs precision and scale: write decimal(P,S), e.g. decimal(18,4)",
		"decimal(18)":     `cannot read "decimal(18)": write decimal(P,S) with integers, e.g. decimal(18,4)`,
		"decimal(a,b)":    `cannot read "decimal(a,b)": write decimal(P,S) with integers`,
		"decimal(18,4":    "decimal needs precision and scale",
		"decimal(39,2)":   "decimal precision 39 out of range: ClickHouse allows 1 to 38",
		"decimal(0,0)":    "decimal precision 0 out of range",
		"decimal(10,11)":  "decimal scale 11 out of range: it must be between 0 and the precision 10",
		"decimal(10,-1)":  "decimal scale -1 out of range",
		"strng":           `unknown type "strng" (did you mean "string"?)`,
		"Int64":           `unknown type "Int64" (did you mean "int64"?)`,
		"double":          `unknown type "double" (known types: int32, int64, float64, decimal(P,S), string, bool, datetime, date, enum, uuid)`,
		"":                `unknown type ""`,
		"enum(Low,High)":  `unknown type "enum(Low,High)"`,
		"decimal(P,S)":    `cannot read "decimal(P,S)"`,
		"Nullable(Int64)": `unknown type "Nullable(Int64)"`,
	} {
		_, err := model.ParseType(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseType(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestEnumType(t *testing.T) {
	typ := model.Type{Kind: model.Enum, Values: []string{"Low", "it's", `back\slash`}}
	want := `Enum8('Low' = 1, 'it\'s' = 2, 'back\\slash' = 3)`
	if got := typ.ClickHouse(model.DefaultTarget); got != want {
		t.Errorf("enum = %s, want %s", got, want)
	}
}

func TestKindNamesParse(t *testing.T) {
	for _, name := range model.KindNames() {
		if name == "decimal(P,S)" {
			name = "decimal(10,2)"
		}
		if _, err := model.ParseType(name); err != nil {
			t.Errorf("KindNames lists %q, which ParseType rejects: %v", name, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]model.Target{
		"18.16":        {18, 16},
		"26.7":         {26, 7},
		"26.7.3":       {26, 7},
		"24.3.1.2672":  {24, 3},
		" 21.12 ":      {21, 12},
		"18.16.1":      {18, 16},
		"100.0":        {100, 0},
		"019.01":       {19, 1},
		"21.11.0.0000": {21, 11},
	} {
		got, err := model.ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"17.1":        "ClickHouse target 17.1 is older than the oldest supported server 18.16",
		"18.15":       "older than the oldest supported server 18.16",
		"1.0":         "older",
		"abc":         `ClickHouse target "abc": write MAJOR.MINOR, e.g. 18.16 or 26.7`,
		"18":          "write MAJOR.MINOR",
		"":            "write MAJOR.MINOR",
		"18.":         "write MAJOR.MINOR",
		"18.x":        "write MAJOR.MINOR",
		"-19.1":       "write MAJOR.MINOR",
		"+19.1":       "write MAJOR.MINOR",
		"26.7.x":      "write MAJOR.MINOR",
		"26.7.":       "write MAJOR.MINOR",
		"1.2.3.4.5":   "write MAJOR.MINOR",
		"v26.7":       "write MAJOR.MINOR",
		"26,7":        "write MAJOR.MINOR",
		"99999999.1":  "write MAJOR.MINOR",
		"26.7 stable": "write MAJOR.MINOR",
	} {
		_, err := model.ParseTarget(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTarget(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestTargetHas(t *testing.T) {
	features := map[string]model.Feature{
		"Bool": model.FeatureBool, "LowCardinality": model.FeatureLowCardinality, "DateTime64": model.FeatureDateTime64,
		"Codec": model.FeatureCodec, "Date32": model.FeatureDate32,
	}
	for name, f := range features {
		if model.MinTarget.Has(f) {
			t.Errorf("18.16 has %s", name)
		}
		if !model.DefaultTarget.Has(f) {
			t.Errorf("26.7 lacks %s", name)
		}
	}
	for _, c := range []struct {
		target string
		f      model.Feature
		has    bool
	}{
		{"21.11", model.FeatureBool, false},
		{"21.12", model.FeatureBool, true},
		{"22.1", model.FeatureBool, true},
		{"18.16", model.FeatureLowCardinality, false},
		{"19.1", model.FeatureLowCardinality, true},
		{"19.17", model.FeatureDateTime64, false},
		{"20.1", model.FeatureDateTime64, true},
		{"21.8", model.FeatureDate32, false},
		{"21.9", model.FeatureDate32, true},
	} {
		tg, err := model.ParseTarget(c.target)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.Has(c.f); got != c.has {
			t.Errorf("%s.Has(%d) = %v, want %v", c.target, c.f, got, c.has)
		}
	}
	if got := model.MinTarget.String(); got != "18.16" {
		t.Errorf("MinTarget = %s", got)
	}
	if !model.MinTarget.Less(model.DefaultTarget) || model.DefaultTarget.Less(model.MinTarget) || model.MinTarget.Less(model.MinTarget) {
		t.Error("Less is not a strict order")
	}
}
