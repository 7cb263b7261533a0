package model_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/model"
	"github.com/canonic-data/canonic/gen/sourcespec"
)

var (
	specOnce sync.Once
	spec     *sourcespec.Spec
	specErr  error
)

func connectwise(t *testing.T) *sourcespec.Spec {
	t.Helper()
	specOnce.Do(func() {
		data, err := os.ReadFile("../../mappings/sources/connectwise.json")
		if err != nil {
			specErr = err
			return
		}
		spec, specErr = sourcespec.Load(data)
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return spec
}

const head = `version: 1
service: connectwise
table: tickets
description: Tickets.
source:
  endpoint: service/tickets
key: id
scd:
  type: 2
  ignore_changes: [last_updated]
fields:
  - name: id
    type: int64
    source: id
    description: Ticket id.
  - name: last_updated
    type: datetime
    source: _info__lastUpdated
    convert: string_to_datetime
    description: Last change.
`

func build(t *testing.T, fields string) (*model.Table, error) {
	t.Helper()
	f, errs := mapping.ParseFile("mappings/connectwise/tickets.yaml", []byte(head+fields))
	if err := errs.Err(); err != nil {
		t.Fatalf("parse: %v", err)
	}
	p, err := model.Build(model.Input{Module: "example.com/m", Target: model.DefaultTarget, Files: []*mapping.File{f},
		Specs: map[string]*sourcespec.Spec{"connectwise": connectwise(t)}})
	if err != nil {
		return nil, err
	}
	return p.Tables[0], nil
}

func mustBuild(t *testing.T, fields string) *model.Table {
	t.Helper()
	tb, err := build(t, fields)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestBuildTable(t *testing.T) {
	tb := mustBuild(t, `  - name: status_name
    type: string
    nullable: true
    source: status__name
    description: Status.
  - name: urgency
    type: string
    nullable: true
    unmapped: None in ConnectWise.
    description: Urgency.
  - name: notes
    type: string
    nullable: true
    source: initialDescription
    acknowledge: {write_only: Kept for other services.}
    description: Notes.
`)
	if tb.Dir != "generated/connectwise/tickets" || tb.ImportPath != "example.com/m/generated/connectwise/tickets" ||
		tb.CmdName != "backfill-connectwise-tickets" || tb.CurrentView != "tickets_current" || tb.GoPackage != "tickets" {
		t.Errorf("names: %+v", tb)
	}
	if tb.Key.Name != "id" || tb.SourceKeyField != "id" || !slices.Equal(tb.OrderBy, []string{"id", "effective_start_date"}) {
		t.Errorf("key %s from %s, order by %q", tb.Key.Name, tb.SourceKeyField, tb.OrderBy)
	}
	var hashed []string
	for _, c := range tb.HashedColumns() {
		hashed = append(hashed, c.Name)
	}
	if !slices.Equal(hashed, []string{"id", "status_name", "urgency", "notes"}) {
		t.Errorf("hashed columns %q: last_updated is in ignore_changes", hashed)
	}
	names := tb.AllColumnNames()
	if len(names) != 5+len(model.SCDColumns) || names[5] != "effective_start_date" || names[len(names)-1] != "record_hash" {
		t.Errorf("AllColumnNames = %q", names)
	}
	comments := map[string]string{}
	for _, c := range tb.Columns {
		comments[c.Name] = c.Comment()
	}
	for name, want := range map[string]string{
		"id":           "Ticket id.",
		"last_updated": "Last change. [Source _info__lastUpdated converted: string_to_datetime]",
		"urgency":      "Urgency. [Not mapped for this source, always NULL: None in ConnectWise.]",
		"notes":        "Notes. [Source initialDescription is write-only, never returned by GET, so this is NULL: Kept for other services.]",
	} {
		if comments[name] != want {
			t.Errorf("%s comment = %q, want %q", name, comments[name], want)
		}
	}
	var st *model.Column
	for _, c := range tb.Columns {
		if c.Name == "status_name" {
			st = c
		}
	}
	if st == nil || !slices.Equal(st.Source.Segments, []string{"status", "name"}) || !slices.Equal(st.Source.GoPath, []string{"Status", "Name"}) || st.GoName != "StatusName" {
		t.Errorf("status_name source: %+v", st)
	}
	var tree []string
	for _, ch := range tb.Source.Children {
		tree = append(tree, ch.Key+":"+ch.GoName+":"+ch.TypeName)
	}
	if !slices.Equal(tree, []string{"id:ID:", "_info:Info:SourceInfo", "status:Status:SourceStatus", "initialDescription:InitialDescription:"}) {
		t.Errorf("source tree %q (first-use order, Go names from the naming authority)", tree)
	}
}

// TestHashDefinition: the fingerprint follows the hashed columns' names
// and canonical types, not descriptions or ignored columns.
func TestHashDefinition(t *testing.T) {
	base := mustBuild(t, "  - name: a\n    type: string\n    source: summary\n    description: A.\n").HashDefinition
	if !strings.HasPrefix(base, "v1:") || len(base) != len("v1:")+16 {
		t.Errorf("HashDefinition = %q", base)
	}
	for name, c := range map[string]struct {
		fields string
		same   bool
	}{
		"description":   {"  - name: a\n    type: string\n    source: summary\n    description: Another text.\n", true},
		"nullable":      {"  - name: a\n    type: string\n    nullable: true\n    source: summary\n    description: A.\n", false},
		"renamed":       {"  - name: b\n    type: string\n    source: summary\n    description: A.\n", false},
		"added column":  {"  - name: a\n    type: string\n    source: summary\n    description: A.\n  - name: c\n    type: string\n    source: city\n    description: C.\n", false},
		"other source":  {"  - name: a\n    type: string\n    source: city\n    description: A.\n", true},
		"enum values":   {"  - name: a\n    type: enum\n    values: [X]\n    source: summary\n    convert: string_to_enum\n    description: A.\n", false},
		"enum reorders": {"  - name: a\n    type: enum\n    values: [Y, X]\n    source: summary\n    convert: string_to_enum\n    description: A.\n", false},
	} {
		got := mustBuild(t, c.fields).HashDefinition
		if (got == base) != c.same {
			t.Errorf("%s: HashDefinition %s vs base %s, want same=%v", name, got, base, c.same)
		}
	}
	x := mustBuild(t, "  - name: a\n    type: enum\n    values: [X, Y]\n    source: summary\n    convert: string_to_enum\n    description: A.\n").HashDefinition
	y := mustBuild(t, "  - name: a\n    type: enum\n    values: [Y, X]\n    source: summary\n    convert: string_to_enum\n    description: A.\n").HashDefinition
	if x == y {
		t.Error("reordering enum values (their codes) keeps the HashDefinition")
	}
}

func TestBuildErrorsAreBadInput(t *testing.T) {
	_, err := build(t, "  - name: a\n    type: strng\n    source: stauts\n    description: A.\n  - name: type\n    type: int64\n    source: id\n    description: B.\n")
	var list diag.List
	if !errors.As(err, &list) || !errors.Is(err, diag.ErrBadInput) {
		t.Fatalf("error %v is not a diag.List matching ErrBadInput", err)
	}
	var msgs []string
	for _, e := range list {
		msgs = append(msgs, e.Error())
	}
	want := []string{
		`mappings/connectwise/tickets.yaml:22:11: column "a": unknown type "strng" (did you mean "string"?)`,
		// the source is resolved even when the type is unreadable
		`mappings/connectwise/tickets.yaml:23:13: column "a": source path "stauts" not found: Ticket has no property "stauts"`,
		`mappings/connectwise/tickets.yaml:25:11: column "type" is a Go keyword: choose another name (e.g. type_name)`,
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

// TestEnumGoNames: enum types and constants get Go names clear of the
// package's other names and of each other.
func TestEnumGoNames(t *testing.T) {
	tb := mustBuild(t, `  - {name: severity, type: enum, values: [Low, Medium, High], nullable: true, source: severity, description: S.}
  - {name: source, type: enum, values: ["*/", "a b", "a-b"], nullable: true, source: summary, convert: string_to_enum, description: T.}
  - {name: row, type: enum, values: [x], nullable: true, source: city, convert: string_to_enum, description: R.}
`)
	got := map[string][]string{}
	for _, c := range tb.Columns {
		if c.EnumGoType != "" {
			got[c.EnumGoType] = c.EnumGoConsts
		}
	}
	want := map[string][]string{
		"Severity": {"SeverityLow", "SeverityMedium", "SeverityHigh"},
		"Source2":  {"Source2Value1", "Source2AB", "Source2AB2"},
		"Row2":     {"Row2X"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("enum names %v, want %v", got, want)
	}
}
