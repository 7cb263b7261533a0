package warehouse

import (
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/table"
)

func cols(spec ...string) []table.Column {
	var out []table.Column
	for _, s := range spec {
		name, typ, _ := strings.Cut(s, " ")
		out = append(out, table.Column{Name: name, Type: typ})
	}
	return out
}

func TestCheckSchema(t *testing.T) {
	want := cols("id Int64", "status Nullable(String)", "amount Decimal(12,2)", "is_current UInt8")
	cases := []struct {
		name      string
		live      []table.Column
		diff      []string // substrings, one per expected diff line
		alters    []string
		wantMatch bool
	}{
		{name: "same after normalising", live: cols("id Int64", "status Nullable(String)", "amount Decimal(12, 2)", "is_current UInt8"), wantMatch: true},
		{
			name:   "dropped column",
			live:   cols("id Int64", "amount Decimal(12, 2)", "is_current UInt8"),
			diff:   []string{"column status: missing (want Nullable(String) at position 2)"},
			alters: []string{"ALTER TABLE {table} ADD COLUMN `status` Nullable(String) AFTER `id`"},
		},
		{
			name:   "retyped column",
			live:   cols("id Int64", "status String", "amount Decimal(12, 2)", "is_current UInt8"),
			diff:   []string{"column status: type String, want Nullable(String)"},
			alters: []string{"ALTER TABLE {table} MODIFY COLUMN `status` Nullable(String)"},
		},
		{
			name:   "extra column",
			live:   cols("id Int64", "status Nullable(String)", "amount Decimal(12, 2)", "is_current UInt8", "x String"),
			diff:   []string{"column x: not in the generated table"},
			alters: []string{"ALTER TABLE {table} DROP COLUMN `x`"},
		},
		{
			name: "swapped columns",
			live: cols("id Int64", "amount Decimal(12, 2)", "status Nullable(String)", "is_current UInt8"),
			// The compiler refuses to reorder a live table (chschema.ErrReorder):
			// the runtime reports the move and proposes no statement either.
			diff: []string{"column status: at position 3, want 2 (no statement: ClickHouse cannot reorder", "column amount: at position 2, want 3 (no statement"},
		},
		{
			name:   "leaves Nullable",
			live:   cols("id Int64", "status Nullable(String)", "amount Nullable(Decimal(12, 2))", "is_current UInt8"),
			diff:   []string{"column amount: type Nullable(Decimal(12, 2)), want Decimal(12,2)"},
			alters: []string{"ALTER TABLE {table} MODIFY COLUMN `amount` Decimal(12,2) DEFAULT 0"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diff, alters, ok := CheckSchema(c.live, want)
			if ok != c.wantMatch {
				t.Fatalf("ok = %v, want %v (diff %q)", ok, c.wantMatch, diff)
			}
			lines := strings.Split(diff, "\n")
			if diff == "" {
				lines = nil
			}
			if len(lines) != len(c.diff) {
				t.Fatalf("diff has %d lines, want %d:\n%s", len(lines), len(c.diff), diff)
			}
			for i, l := range lines {
				if !strings.Contains(l, c.diff[i]) {
					t.Errorf("diff line %d = %q, want it to contain %q", i, l, c.diff[i])
				}
			}
			if strings.Join(alters, "\n") != strings.Join(c.alters, "\n") {
				t.Errorf("alters =\n%s\nwant\n%s", strings.Join(alters, "\n"), strings.Join(c.alters, "\n"))
			}
		})
	}
}

func TestIdentifiers(t *testing.T) {
	good := []string{"acme", "Acme_2", "_x", strings.Repeat("a", 63)}
	bad := []string{"", "1acme", "ac-me", "acme`; DROP DATABASE x; --", "a b", "ac.me", "ácme", strings.Repeat("a", 64), "acme\n"}
	for _, n := range good {
		if err := ValidIdent(n); err != nil {
			t.Errorf("ValidIdent(%q) = %v, want nil", n, err)
		}
	}
	for _, n := range bad {
		if err := ValidIdent(n); err == nil {
			t.Errorf("ValidIdent(%q) = nil, want an error", n)
		}
	}
	for _, n := range []string{"system", "SYSTEM", "information_schema", "INFORMATION_SCHEMA", "_temporary_and_external_tables"} {
		if err := ValidDatabase(n); err == nil {
			t.Errorf("ValidDatabase(%q) = nil, want an error", n)
		}
	}
	for n, want := range map[string]bool{"default": true, "DEFAULT": true, "acme": false, "default_acme": false} {
		if got := SharedDatabase(n); got != want {
			t.Errorf("SharedDatabase(%q) = %v, want %v", n, got, want)
		}
	}
	if got := QuoteIdent("a`b\\c"); got != "`a\\`b\\\\c`" {
		t.Errorf("QuoteIdent = %s", got)
	}
	if got := QuoteString(`it's \ here`); got != `'it\'s \\ here'` {
		t.Errorf("QuoteString = %s", got)
	}
}

func TestSplitStatements(t *testing.T) {
	ddl := "-- header\nCREATE TABLE a (x String DEFAULT ';');\n\nCREATE VIEW v AS SELECT 1;\n-- trailing comment\n"
	got := SplitStatements(ddl)
	want := []string{"-- header\nCREATE TABLE a (x String DEFAULT ';')", "CREATE VIEW v AS SELECT 1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("SplitStatements = %q, want %q", got, want)
	}
}

func TestRedactDSN(t *testing.T) {
	red, pw, err := RedactDSN("clickhouse://loader:p%40ss@db.example:9440/acme?secure=true")
	if err != nil {
		t.Fatal(err)
	}
	if pw != "p@ss" || strings.Contains(red, "p%40ss") || strings.Contains(red, "p@ss") || !strings.Contains(red, "loader:xxxxx@db.example:9440") {
		t.Fatalf("RedactDSN = %q, %q", red, pw)
	}
	red, pw, _ = RedactDSN("clickhouse://db:9000/x?username=u&password=hunter2")
	if pw != "hunter2" || strings.Contains(red, "hunter2") {
		t.Fatalf("RedactDSN query password = %q, %q", red, pw)
	}
	if _, _, err := RedactDSN("clickhouse://u:hunter2@[::1"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("RedactDSN(bad) error = %v", err)
	}
}

func TestLeavingNullableGetsADefault(t *testing.T) {
	cases := map[string]string{
		"String":                          "''",
		"Int64":                           "0",
		"DateTime('UTC')":                 "toDateTime(0)",
		"Date":                            "toDate(0)",
		"Enum8('Low' = 1, 'High' = 2)":    "'Low'",
		"Enum8('it\\'s' = 1, 'High' = 2)": "'it\\'s'",
		"UUID":                            "toUUID('00000000-0000-0000-0000-000000000000')",
		"Decimal(18, 2)":                  "0",
	}
	for typ, want := range cases {
		_, alters, ok := CheckSchema(
			[]table.Column{{Name: "a", Type: "Nullable(" + typ + ")"}},
			[]table.Column{{Name: "a", Type: typ}})
		if ok || len(alters) != 1 || !strings.HasSuffix(alters[0], " DEFAULT "+want) {
			t.Errorf("%s: alters %q, want DEFAULT %s", typ, alters, want)
		}
	}
}
