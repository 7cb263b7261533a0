package chschema_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/chschema"
)

func TestNormalizeType(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Int64", "Int64"},
		{"  Nullable( String ) ", "Nullable(String)"},
		{"Decimal(18,2)", "Decimal(18, 2)"},
		{"Decimal64(2)", "Decimal(18, 2)"},
		{"Nullable(Decimal32(4))", "Nullable(Decimal(9, 4))"},
		{"Decimal(10)", "Decimal(10, 0)"},
		{"Boolean", "Bool"},
		{"bool", "Bool"},
		{"BIGINT", "Int64"},
		{"DateTime('Etc/UTC')", "DateTime('UTC')"},
		{"DateTime( 'UTC' )", "DateTime('UTC')"},
		{"DateTime('Europe/Paris')", "DateTime('Europe/Paris')"},
		{"DateTime", "DateTime"},
		{`Enum8('Low'=1,'High'=3)`, "Enum8('Low' = 1, 'High' = 3)"},
		{`Enum8('Low', 'High')`, "Enum8('Low' = 1, 'High' = 2)"},
		{`Enum8('it\'s' = 1)`, `Enum8('it\'s' = 1)`},
		{"LowCardinality(Nullable(String))", "LowCardinality(Nullable(String))"},
		{`Enum8('a\nb' = 1, 'c''d' = 2, 'e\x41' = 3)`, `Enum8('a\nb' = 1, 'c\'d' = 2, 'eA' = 3)`},
		{"not a (type", "not a (type"},
	}
	for _, c := range cases {
		if got := chschema.NormalizeType(c.in); got != c.want {
			t.Errorf("NormalizeType(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func cols(spec ...string) []chschema.Column {
	var out []chschema.Column
	for _, s := range spec {
		name, typ, _ := strings.Cut(s, " ")
		out = append(out, chschema.Column{Name: name, Type: typ})
	}
	return out
}

// TestDiffAndAlter: each kind of change, what Diff calls it and what
// Alter makes of it.
func TestDiffAndAlter(t *testing.T) {
	old := cols("id Int64", "a Nullable(String)", "b Decimal(12,2)", "c UInt8")
	cases := []struct {
		name   string
		want   []chschema.Column
		kinds  string // Diff's kinds and columns
		alters []string
		err    error
	}{
		{name: "same after normalising", want: cols("id Int64", "a Nullable( String )", "b Decimal(12, 2)", "c UInt8")},
		{
			name:   "added",
			want:   append(cols("id Int64", "a Nullable(String)", "n Int32"), append([]chschema.Column{{Name: "m", Type: "String", Comment: "it's"}}, cols("b Decimal(12,2)", "c UInt8")...)...),
			kinds:  "added n, added m",
			alters: []string{"ALTER TABLE t ADD COLUMN `n` Int32 AFTER `a`", "ALTER TABLE t ADD COLUMN `m` String AFTER `n`", "ALTER TABLE t COMMENT COLUMN `m` 'it\\'s'"},
		},
		{name: "added first", want: append(cols("n Int32"), old...), kinds: "added n", err: chschema.ErrFirst},
		{
			name:   "leaves Nullable",
			want:   cols("id Int64", "a String", "b Decimal(12,2)", "c UInt8"),
			kinds:  "retyped a",
			alters: []string{"ALTER TABLE t MODIFY COLUMN `a` String DEFAULT ''"},
		},
		{
			name:   "becomes Nullable",
			want:   cols("id Int64", "a Nullable(String)", "b Nullable(Decimal(12,2))", "c UInt8"),
			kinds:  "retyped b",
			alters: []string{"ALTER TABLE t MODIFY COLUMN `b` Nullable(Decimal(12,2))"},
		},
		{name: "dropped", want: cols("id Int64", "b Decimal(12,2)", "c UInt8"), kinds: "dropped a", alters: []string{"ALTER TABLE t DROP COLUMN `a`"}},
		{name: "swapped", want: cols("id Int64", "b Decimal(12,2)", "a Nullable(String)", "c UInt8"), kinds: "moved b, moved a", err: chschema.ErrReorder},
		{
			name:  "retyped and moved",
			want:  cols("id Int64", "b Decimal(12,2)", "a String", "c UInt8"),
			kinds: "moved b, retyped a, moved a",
			err:   chschema.ErrReorder,
			// The retype alone is still rendered.
			alters: []string{"ALTER TABLE t MODIFY COLUMN `a` String DEFAULT ''"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var kinds []string
			var alters []string
			var firstErr error
			for _, ch := range chschema.Diff(old, c.want) {
				kinds = append(kinds, ch.Kind.String()+" "+ch.Name())
				stmts, err := chschema.Alter("t", ch)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				alters = append(alters, stmts...)
			}
			if got := strings.Join(kinds, ", "); got != c.kinds {
				t.Errorf("Diff = %s, want %s", got, c.kinds)
			}
			if strings.Join(alters, "\n") != strings.Join(c.alters, "\n") {
				t.Errorf("Alter =\n%s\nwant\n%s", strings.Join(alters, "\n"), strings.Join(c.alters, "\n"))
			}
			if !errors.Is(firstErr, c.err) {
				t.Errorf("Alter error %v, want %v", firstErr, c.err)
			}
		})
	}
}

func TestZeroValue(t *testing.T) {
	cases := map[string]string{
		"String":                          "''",
		"LowCardinality(String)":          "''",
		"Int64":                           "0",
		"UInt8":                           "0",
		"Bool":                            "false",
		"DateTime('UTC')":                 "toDateTime(0)",
		"Date":                            "toDate(0)",
		"Enum8('Low' = 1, 'High' = 2)":    "'Low'",
		"Enum8('it\\'s' = 1, 'High' = 2)": "'it\\'s'",
		"UUID":                            "toUUID('00000000-0000-0000-0000-000000000000')",
		"Decimal(18, 2)":                  "0",
	}
	for typ, want := range cases {
		if got := chschema.ZeroValue(typ); got != want {
			t.Errorf("ZeroValue(%s) = %s, want %s", typ, got, want)
		}
	}
}
