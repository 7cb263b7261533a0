package mapping_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/mapping"
)

func messages(l diag.List) []string {
	var out []string
	if err := l.Err(); err != nil {
		for _, e := range err.(diag.List) {
			out = append(out, e.Error())
		}
	}
	return out
}

func TestParseRealMapping(t *testing.T) {
	data, err := os.ReadFile("../../mappings/connectwise/tickets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, errs := mapping.ParseFile("mappings/connectwise/tickets.yaml", data)
	if len(errs) > 0 {
		t.Fatalf("real mapping has problems: %v", errs)
	}
	lines := strings.Split(string(data), "\n")
	// at reports the text at a position, to check positions without
	// hard-coding line numbers of a file that evolves.
	at := func(p diag.Pos) string {
		if p.Line < 1 || p.Line > len(lines) || p.Col < 1 || p.Col > len(lines[p.Line-1])+1 {
			return "<outside>"
		}
		return lines[p.Line-1][p.Col-1:]
	}
	for _, c := range []struct {
		what string
		pos  diag.Pos
		want string
	}{
		{"version", f.Version.Pos, "1"},
		{"service", f.Service.Pos, "connectwise"},
		{"table", f.Table.Pos, "tickets"},
		{"endpoint", f.Source.Endpoint.Pos, "service/tickets"},
		{"key", f.Key.Pos, "id"},
		{"scd.type", f.SCD.Type.Pos, "2"},
		{"first field", f.Fields[0].Pos, "name: id"},
		{"first field name", f.Fields[0].Name.Pos, "id"},
		{"fields", f.FieldsPos, "- name: id"},
	} {
		if got := at(c.pos); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s at %s reads %q, want %q", c.what, c.pos, got, c.want)
		}
	}
	if f.Version.Value != 1 || f.Service.Value != "connectwise" || f.Table.Value != "tickets" || f.SCD.Type.Value != 2 {
		t.Errorf("values: %+v", f)
	}
	if f.Cursor == nil || f.Cursor.Column.Value != "last_updated" || f.Cursor.SourceField.Value != "lastUpdated" {
		t.Errorf("cursor: %+v", f.Cursor)
	}
	var ignored []string
	for _, s := range f.SCD.IgnoreChanges {
		ignored = append(ignored, s.Value)
	}
	if !slices.Equal(ignored, []string{"last_updated", "last_updated_by"}) {
		t.Errorf("ignore_changes = %q", ignored)
	}
	if !strings.HasPrefix(f.Description.Value, "ConnectWise PSA service tickets") || strings.Contains(f.Description.Value, "\n") {
		t.Errorf("folded description = %q", f.Description.Value)
	}
	for _, fd := range f.Fields {
		if !fd.Name.Set || !fd.Type.Set || !fd.Description.Set {
			t.Errorf("field at %s lacks name, type or description", fd.Pos)
		}
		if fd.Type.Value == "enum" && fd.ValuesPos.Line == 0 {
			t.Errorf("enum field %s has no values position", fd.Name.Value)
		}
	}
}

func TestParseRealProject(t *testing.T) {
	data, err := os.ReadFile("../../mappings/project.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, errs := mapping.ParseProject("mappings/project.yaml", data)
	if len(errs) > 0 {
		t.Fatalf("real project.yaml has problems: %v", errs)
	}
	if len(p.Sources) != 1 || p.Sources[0].Service.Value != "connectwise" || p.Sources[0].Spec.Value != "sources/connectwise.json" {
		t.Errorf("sources: %+v", p.Sources)
	}
	if !p.Target.Set {
		t.Error("target not read")
	}
}

const minimal = `version: 1
service: s
table: t
description: T.
source: {endpoint: e}
key: id
scd: {type: 2}
fields:
  - {name: id, type: int64, source: id, description: Id.}
`

func TestParseAliasesAndScalars(t *testing.T) {
	doc := `version: 1
service: s
table: t
description: 123
source: {endpoint: e}
key: id
scd: {type: 2, ignore_changes: *cols}
x-anchors: &cols [a, b]
fields: []
`
	// An alias must be defined before use; here it is not.
	_, errs := mapping.ParseFile("m.yaml", []byte(doc))
	if got := messages(errs); len(got) != 1 || !strings.HasPrefix(got[0], "m.yaml:7:32: YAML syntax error: alias *cols refers to no anchor") {
		t.Errorf("alias before its anchor: %q", got)
	}
	doc = `version: 1
service: s
table: t
description: 123
source: {endpoint: e}
key: id
scd: {type: 2}
fields:
  - &f {name: id, type: enum, values: &levels [Low, High], source: id, nullable: false, description: true}
  - {name: a, type: enum, values: *levels, source: a, description: A.}
`
	f, errs := mapping.ParseFile("m.yaml", []byte(doc))
	if len(errs) > 0 {
		t.Fatalf("problems: %q", messages(errs))
	}
	if f.Description.Value != "123" || f.Fields[0].Description.Value != "true" {
		t.Errorf("numbers and booleans are read as their text: %q, %q", f.Description.Value, f.Fields[0].Description.Value)
	}
	if got := f.Fields[1].Values; len(got) != 2 || got[1].Value != "High" {
		t.Errorf("values through an alias = %+v", got)
	}
	if !f.Fields[0].Nullable.Set || f.Fields[0].Nullable.Value {
		t.Errorf("nullable: false = %+v", f.Fields[0].Nullable)
	}
}

// TestParseErrors pins positions and messages the bad corpus cannot show
// as directly: syntax errors on the first and last lines, wrong scalar
// kinds, sorting.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      []string
	}{
		{"syntax error on line 1", "version: [1\n", []string{"m.yaml:1:1: YAML syntax error: did not find expected ',' or ']': the [list] that starts on this line is not closed"}},
		{"unclosed mapping", minimal + "clickhouse: {order_by: [id, effective_start_date]\n", []string{"m.yaml:10:1: YAML syntax error: did not find expected ',' or '}': the {mapping} that starts on this line is not closed"}},
		{"bad indentation deep inside", strings.Replace(minimal, "scd: {type: 2}\n", "scd:\n  type: 2\n   ignore_changes: []\n", 1), []string{"m.yaml:9:1: YAML syntax error: mapping values are not allowed in this context"}},
		{"dedented list item", minimal + "  - {name: a, type: string, source: a, description: A.}\n - {name: b}\n", []string{"m.yaml:11:1: YAML syntax error: did not find expected key: check this line's indentation against the keys above it"}},
		{"multi-line string before the error", strings.Replace(minimal, "description: T.\n", "description: \"two\n  lines\"\n", 1) + "  -bad: [\n", []string{"m.yaml:11:1: YAML syntax error: did not find expected '-' indicator: check this line's indentation against the list items above it"}},
		{"tab", strings.Replace(minimal, "key: id\n", "key: id\n\tscd: x\n", 1), []string{"m.yaml:7:1: YAML syntax error: found a tab character that violates indentation"}},
		{"version float", strings.Replace(minimal, "version: 1", "version: 1.0", 1), []string{`m.yaml:1:10: version must be an integer, got "1.0"`}},
		{"version null", strings.Replace(minimal, "version: 1", "version:", 1), []string{`m.yaml:1:9: version must be an integer, got nothing (null)`}},
		{"nullable string", strings.Replace(minimal, "source: id,", `source: id, nullable: "true",`, 1), []string{`m.yaml:9:51: nullable must be true or false, got "true"`}},
		{"name list", strings.Replace(minimal, "name: id,", "name: [id],", 1), []string{`m.yaml:9:12: field name must be a string, got a list`}},
		{"key mapping", strings.Replace(minimal, "key: id", "key: {column: id}", 1), []string{`m.yaml:6:6: key must be a string, got a mapping`}},
		{"tagged scalar", strings.Replace(minimal, "table: t", "table: !!binary dGFibGU=", 1), []string{`m.yaml:3:8: table must be a string, got !!binary`}},
		{"non-scalar key", minimal + "? [a, b]\n: c\n", []string{`m.yaml:10:3: mapping: keys must be plain words`}},
		{"sorted", strings.Replace(strings.Replace(minimal, "version: 1", "version: 2", 1), "scd: {type: 2}", "scd: {type: 2, typo: 1}", 1) + "extra: 1\n", []string{
			`m.yaml:1:10: unsupported format version 2: this compiler reads version 1`,
			`m.yaml:7:16: scd: unknown key "typo" (did you mean "type"?)`,
			`m.yaml:10:1: mapping: unknown key "extra" (known keys: version, service, table, description, source, key, scd, cursor, clickhouse, fields, breaking)`,
		}},
	} {
		_, errs := mapping.ParseFile("m.yaml", []byte(c.doc))
		if got := messages(errs); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestParseProjectErrors(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want []string
	}{
		{"version: 1\nsources:\n  cw: {spec: a.json}\n  cw: {spec: b.json}\n", []string{`p.yaml:4:3: sources: duplicate service "cw"`}},
		{"version: 1\nsources: [cw]\n", []string{`p.yaml:2:10: sources must map each service to its spec, got a list`}},
		{"version: 1\nclickhouse: {}\nsources: {cw: {}}\n", []string{`p.yaml:2:13: clickhouse: missing required key "target"`, `p.yaml:3:15: sources.cw: missing required key "spec"`}},
		{"sources: {}\n", []string{`p.yaml:1:1: missing required key "version": add "version: 1" at the top`}},
	} {
		_, errs := mapping.ParseProject("p.yaml", []byte(c.doc))
		if got := messages(errs); !slices.Equal(got, c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.doc, got, c.want)
		}
	}
}
