package emit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/emit"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/model"
	"github.com/canonic-data/canonic/gen/sourcespec"
)

const ticketsYAML = `version: 1
service: connectwise
table: tickets
description: Tickets.
source: {endpoint: service/tickets}
key: id
scd: {type: 2}
fields:
  - {name: id, type: int64, source: id, description: Id.}
  - {name: status, type: string, source: status__name, description: Status.}
`

func project(t *testing.T, target model.Target, docs ...string) *model.Project {
	t.Helper()
	data, err := os.ReadFile("../../mappings/sources/connectwise.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := sourcespec.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	var files []*mapping.File
	for _, doc := range docs {
		f, errs := mapping.ParseFile("mappings/connectwise/tickets.yaml", []byte(doc))
		if err := errs.Err(); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := model.Build(model.Input{Module: "example.com/m", Target: target, Files: files, Specs: map[string]*sourcespec.Spec{"connectwise": spec}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProjectFiles(t *testing.T) {
	out, err := emit.Project(project(t, model.DefaultTarget, ticketsYAML), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	want := []string{
		"cmd/backfill-connectwise-tickets/main.go",
		"generated/connectwise/tickets/README.md",
		"generated/connectwise/tickets/hash.go",
		"generated/connectwise/tickets/mapper.go",
		"generated/connectwise/tickets/migrations/0001_create.sql",
		"generated/connectwise/tickets/row.go",
		"generated/connectwise/tickets/schema.json",
		"generated/connectwise/tickets/table.go",
		"generated/connectwise/tickets/tickets.cluster.sql",
		"generated/connectwise/tickets/tickets.sql",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("files %q, want %q", names, want)
	}
	for name, src := range out {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ParseComments|parser.AllErrors)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !ast.IsGenerated(f) {
			t.Errorf("%s is not marked generated", name)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(path, "/gen/") || strings.Contains(path, "jennifer") || strings.Contains(path, "yaml") {
				t.Errorf("%s imports %s: generated code must not depend on the generator", name, path)
			}
		}
	}
}

// TestTwoTablesOneFile: emitters never let one table's file replace
// another's.
func TestTwoTablesOneFile(t *testing.T) {
	p := project(t, model.DefaultTarget, ticketsYAML)
	dup := *p.Tables[0]
	p.Tables = append(p.Tables, &dup)
	if _, err := emit.Project(p, nil); err == nil || !strings.Contains(err.Error(), "two tables generate") {
		t.Errorf("emit.Project with a duplicated table: %v", err)
	}
}

// TestTargetChangesOnlyTypes: the target changes Bool columns (and the
// DDL's note of the target) and nothing else.
func TestTargetChangesOnlyTypes(t *testing.T) {
	doc := ticketsYAML + "  - {name: approved, type: bool, nullable: true, source: approved, description: Approved.}\n"
	old, err := emit.Project(project(t, model.MinTarget, doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := emit.Project(project(t, model.DefaultTarget, doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name := range cur {
		a, b := string(old[name]), string(cur[name])
		switch name {
		case "generated/connectwise/tickets/schema.json":
			a = strings.ReplaceAll(strings.ReplaceAll(a, "UInt8", "Bool"), `"target": "18.16"`, `"target": "26.7"`)
		case "generated/connectwise/tickets/tickets.sql", "generated/connectwise/tickets/tickets.cluster.sql", "generated/connectwise/tickets/migrations/0001_create.sql", "generated/connectwise/tickets/README.md":
			a = strings.ReplaceAll(strings.ReplaceAll(a, "UInt8", "Bool"), "ClickHouse 18.16", "ClickHouse 26.7")
			a, b = strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " ")
		case "generated/connectwise/tickets/table.go":
			if !strings.Contains(a, "maprt.NullableBoolUInt8(r.Approved)") || !strings.Contains(a, "maprt.BoolUInt8(r.IsCurrent)") {
				t.Errorf("18.16 table.go does not send Bool columns as UInt8")
			}
			if strings.Contains(b, "BoolUInt8") {
				t.Errorf("26.7 table.go sends Bool columns as UInt8")
			}
			continue
		}
		if a != b {
			t.Errorf("%s differs between targets beyond Bool/UInt8:\n%s\n---\n%s", name, a, b)
		}
	}
}
