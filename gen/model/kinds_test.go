package model

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"testing"

	"github.com/canonic-data/canonic/internal/chschema"
	"github.com/canonic-data/canonic/internal/maprt"
	"github.com/canonic-data/canonic/internal/rowbinary"
)

// runtimeFuncs lists the exported functions of a runtime package, read
// from its source.
func runtimeFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
					out[fd.Name.Name] = true
				}
			}
		}
	}
	return out
}

// TestKindSpecsComplete: every canonical kind has an entry in kindSpecs
// with every column filled: names, Go type, a ClickHouse type on the
// oldest and newest target that parses, the driver, the RowBinary and
// hash encodings naming runtime functions that exist, accepted sources,
// and a conversion for every representation an accepted source decodes to.
func TestKindSpecsComplete(t *testing.T) {
	funcs := map[string]map[string]bool{
		"maprt":     runtimeFuncs(t, "../../internal/maprt"),
		"rowbinary": runtimeFuncs(t, "../../internal/rowbinary"),
	}
	hasher := reflect.TypeOf(&maprt.Hasher{})
	reader := reflect.TypeOf(&rowbinary.Reader{})
	callExists := func(c Call, recv reflect.Type) bool {
		if c.Pkg == "" {
			_, ok := recv.MethodByName(c.Func)
			return ok
		}
		return funcs[c.Pkg][c.Func]
	}
	seen := map[Kind]bool{}
	for _, s := range kindSpecs {
		if seen[s.Kind] {
			t.Errorf("kind %s has two entries", s.Name)
		}
		seen[s.Kind] = true
	}
	for k := Kind(1); k < numKinds; k++ {
		s := k.Spec()
		if s == nil {
			t.Errorf("kind %d has no entry in kindSpecs", int(k))
			continue
		}
		sample := Type{Kind: k, Precision: 18, Scale: 4, Values: []string{"A", "B"}}
		switch {
		case s.Name == "":
			t.Errorf("kind %d: no Name", int(k))
		case s.Canonical == nil || s.Canonical(sample) == "":
			t.Errorf("%s: no Canonical spelling", s.Name)
		case s.GoName == "":
			t.Errorf("%s: no Go type", s.Name)
		case s.ClickHouse == nil:
			t.Errorf("%s: no ClickHouse type", s.Name)
		case s.Driver == nil:
			t.Errorf("%s: no Driver (passThrough when clickhouse-go takes the Go value)", s.Name)
		case len(s.Sources) == 0:
			t.Errorf("%s: accepts no source", s.Name)
		case len(s.FromSource) == 0:
			t.Errorf("%s: converts from no source representation", s.Name)
		}
		if s.ClickHouse != nil {
			for _, target := range []Target{MinTarget, DefaultTarget} {
				ch := s.ClickHouse(sample, target)
				if _, err := chschema.ParseType(ch); ch == "" || err != nil {
					t.Errorf("%s on %s: ClickHouse type %q: %v", s.Name, target, ch, err)
				}
			}
		}
		for what, c := range map[string]Call{"AppendRowBinary": s.AppendRowBinary, "ReadRowBinary": s.ReadRowBinary, "Hash": s.Hash} {
			recv := reader
			if what == "Hash" {
				recv = hasher
			}
			if c.Func == "" || what == "AppendRowBinary" && c.Pkg == "" || what == "Hash" && c.Pkg != "" {
				t.Errorf("%s: %s is %+v: name the runtime function", s.Name, what, c)
			} else if !callExists(c, recv) {
				t.Errorf("%s: %s names %s.%s, which the runtime lacks", s.Name, what, c.Pkg, c.Func)
			}
		}
		for repr, c := range s.FromSource {
			if c.Func != "" && !funcs[c.Pkg][c.Func] {
				t.Errorf("%s: FromSource[%d] names %s.%s, which the runtime lacks", s.Name, repr, c.Pkg, c.Func)
			}
		}
		// Every source it reads, directly or converted, decodes to a
		// representation it converts from.
		for _, r := range s.Sources {
			if r.Refuse {
				continue
			}
			leaf := SourceNode{JSONType: r.JSONType, AsText: r.Convert == ConvertNumberToDecimal}
			if _, ok := s.FromSource[leaf.Repr()]; !ok {
				t.Errorf("%s: reads %s sources but has no FromSource for them", s.Name, r.JSONType)
			}
		}
	}
}

func TestConversionsFromTable(t *testing.T) {
	want := map[Conversion]Kind{
		ConvertIntToString: String, ConvertStringToDateTime: DateTime, ConvertStringToDate: Date,
		ConvertNumberToDecimal: Decimal, ConvertStringToEnum: Enum, ConvertStringToUUID: UUID,
	}
	if len(conversions) != len(want) || len(ConversionNames()) != len(want) {
		t.Fatalf("conversions %v, names %v; want %v", conversions, ConversionNames(), want)
	}
	for c, k := range want {
		if conversions[c].to != k {
			t.Errorf("%s produces %s, want %s", c, conversions[c].to, k)
		}
	}
	if got := conversions[ConvertNumberToDecimal].from; !reflect.DeepEqual(got, []string{"number", "integer"}) {
		t.Errorf("number_to_decimal reads %v", got)
	}
}

func TestKindSource(t *testing.T) {
	cases := []struct {
		kind          Kind
		jsonType, fmt string
		enum          bool
		direct        bool
		advice        string
	}{
		{Int32, "integer", "int32", false, true, ""},
		{Int32, "integer", "int64", false, false, "the source may exceed int32: use type int64"},
		{Int64, "integer", "", false, true, ""},
		{Float64, "integer", "", false, true, ""},
		{Decimal, "number", "", false, false, "add convert: number_to_decimal"},
		{String, "integer", "", false, false, "add convert: int_to_string"},
		{DateTime, "string", "", false, false, "the spec declares a plain string; add convert: string_to_datetime"},
		{DateTime, "string", "date-time", false, true, ""},
		{Enum, "string", "", true, true, ""},
		{Enum, "string", "", false, false, "the spec declares no enum for it; add convert: string_to_enum"},
		{Bool, "string", "", false, false, "no conversion exists: choose a source of a compatible type"},
	}
	for _, c := range cases {
		direct, advice := c.kind.Source(c.jsonType, c.fmt, c.enum)
		if direct != c.direct || advice != c.advice {
			t.Errorf("%s from %s/%s enum %v = %v, %q; want %v, %q", c.kind, c.jsonType, c.fmt, c.enum, direct, advice, c.direct, c.advice)
		}
	}
}
