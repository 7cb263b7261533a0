package model

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/naming"
	"github.com/canonic-data/canonic/gen/sourcespec"
)

// Input is everything Build needs; the caller has read the files.
type Input struct {
	Module string
	Target Target
	Files  []*mapping.File
	// Specs maps a service name to its vendored source schema.
	Specs map[string]*sourcespec.Spec
	// SpecPos is where each service's spec is declared, for messages.
	SpecPos diag.Pos
}

// Build validates the mappings and resolves them into a Project. It
// collects every problem it finds and returns them as a sorted
// diag.List, together with the Project of the tables that had none (so a
// caller can check those further in the same pass). Files the parser could
// not read completely are checked as far as they were read.
func Build(in Input) (*Project, error) {
	b := &builder{in: in}
	p := &Project{Target: in.Target, Module: in.Module}
	files := append([]*mapping.File(nil), in.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	seen := map[string]*mapping.File{}
	cmds := map[string]*Table{}
	for _, f := range files {
		t := b.table(f)
		if t == nil {
			continue
		}
		id := t.Service + "/" + t.Name
		if prev, dup := seen[id]; dup {
			b.errs.Add(f.Table.Pos, "duplicate table %s: already declared in %s", id, prev.Path)
			continue
		}
		if prev, dup := cmds[t.CmdName]; dup {
			b.errs.Add(f.Table.Pos, "table %s and table %s/%s (%s) both generate cmd/%s: rename one", id, prev.Service, prev.Name, prev.Mapping, t.CmdName)
			continue
		}
		seen[id] = f
		cmds[t.CmdName] = t
		p.Tables = append(p.Tables, t)
	}
	return p, b.errs.Err()
}

type builder struct {
	in   Input
	errs diag.List
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_/]*$`)

// table runs the phases for one file: names, columns and types, source
// paths, table-level settings, then cross-cutting rules.
func (b *builder) table(f *mapping.File) *Table {
	before := len(b.errs)
	t := &Table{
		Mapping:        f.Path,
		Service:        f.Service.Value,
		Name:           f.Table.Value,
		Description:    strings.TrimSpace(f.Description.Value),
		DescriptionPos: f.Description.Pos,
		Endpoint:       f.Source.Endpoint.Value,
	}
	b.names(f, t)
	if f.SCD.Type.Set && f.SCD.Type.Value != 2 {
		b.errs.Add(f.SCD.Type.Pos, "scd.type %d is not supported: only SCD Type 2 (scd.type: 2)", f.SCD.Type.Value)
	}
	if t.Description == "" && f.Description.Set {
		b.errs.Add(f.Description.Pos, "description is empty: say what one row of %s is", t.Name)
	}

	spec := b.in.Specs[t.Service]
	if spec == nil && f.Service.Set && naming.IsSnakeIdent(t.Service) {
		b.errs.Add(f.Service.Pos, "service %q has no source spec: declare it under sources: in mappings/project.yaml", t.Service)
	}
	if !f.Source.Endpoint.Set {
		spec = nil // a missing or malformed source: is reported by the parser
	}
	if spec != nil {
		if !identRE.MatchString(t.Endpoint) {
			spec = nil // reported by names
		} else if _, err := spec.Endpoint(t.Endpoint); err != nil {
			b.errs.Add(f.Source.Endpoint.Pos, "source.endpoint: %v", err)
			spec = nil
		} else if list, _ := spec.IsList(t.Endpoint); !list {
			msg := fmt.Sprintf("source.endpoint %q returns one object, not a list of records: a table reads a list endpoint", t.Endpoint)
			if parent := strings.TrimSuffix(t.Endpoint, "/"+path.Base(t.Endpoint)); parent != t.Endpoint {
				if ok, err := spec.IsList(parent); err == nil && ok {
					msg += fmt.Sprintf(" (did you mean %q?)", parent)
				}
			}
			b.errs.Add(f.Source.Endpoint.Pos, "%s", msg)
			spec = nil
		} else {
			t.SpecVersion = spec.Version
		}
	}

	if len(f.Fields) == 0 && f.FieldsPos.Line > 0 {
		b.errs.Add(f.FieldsPos, "fields is empty: a table needs at least its key column")
	}
	byName := map[string]*Column{}
	goNames := map[string]*Column{}
	for _, fd := range f.Fields {
		c := b.column(fd, t, spec)
		if c == nil {
			continue
		}
		if prev, dup := byName[c.Name]; dup {
			b.errs.Add(fd.Name.Pos, "duplicate column %q: already declared at line %d", c.Name, prev.Pos.Line)
			continue
		}
		if prev, clash := goNames[c.GoName]; clash {
			b.errs.Add(fd.Name.Pos, "column %q and column %q (line %d) both become Go field %s: rename one", c.Name, prev.Name, prev.Pos.Line, c.GoName)
			continue
		}
		byName[c.Name] = c
		goNames[c.GoName] = c
		t.Columns = append(t.Columns, c)
	}

	b.settings(f, t, byName, spec)
	for _, a := range f.Breaking {
		ack := BreakingAck{Pos: a.Pos, Class: a.Class.Value, Column: a.Column.Value, Reason: strings.TrimSpace(a.Reason.Value)}
		if a.Class.Set && !slices.Contains(Classes, ack.Class) {
			msg := fmt.Sprintf("breaking.class %q is not a change class (%s)", ack.Class, strings.Join(Classes, ", "))
			if s := diag.Suggest(ack.Class, Classes); s != "" {
				msg = fmt.Sprintf("breaking.class %q is not a change class (did you mean %q?)", ack.Class, s)
			}
			b.errs.Add(a.Class.Pos, "%s", msg)
		}
		if a.Reason.Set && ack.Reason == "" {
			b.errs.Add(a.Reason.Pos, "breaking.reason is empty: say why the break is acceptable")
		}
		t.Breaking = append(t.Breaking, ack)
	}
	if len(b.errs) > before || f.Incomplete {
		return nil
	}
	t.Source = sourceTree(t.Columns)
	for _, c := range t.Columns {
		if c.Child != nil {
			childTree(c)
		}
	}
	enumNames(t)
	t.HashDefinition = hashDefinition(t)
	return t
}

// packageNames are the exported names every generated table package
// declares; enum types and constants must not take them.
var packageNames = []string{"Row", "Columns", "Table", "Decode", "Map", "HashDefinition"}

// enumNames names each enum column's Go type and value constants through
// the naming authority, clear of the package's other exported names (the
// source struct types included) and of each other.
func enumNames(t *Table) {
	taken := map[string]bool{}
	for _, n := range packageNames {
		taken[n] = true
	}
	var walk func(n *SourceNode)
	walk = func(n *SourceNode) {
		if n.TypeName != "" {
			taken[n.TypeName] = true
		}
		for _, ch := range n.Children {
			walk(ch)
		}
	}
	walk(t.Source)
	for _, c := range t.Columns {
		if c.Type.Kind == Enum {
			c.EnumGoType = naming.Unique(c.GoName, taken)
		}
	}
	for _, c := range t.Columns {
		for i, v := range c.Type.Values {
			name := naming.GoName(v)
			if !strings.ContainsFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
				name = fmt.Sprintf("Value%d", i+1) // "*/", "--": nothing to name it by
			}
			c.EnumGoConsts = append(c.EnumGoConsts, naming.Unique(c.EnumGoType+name, taken))
		}
	}
}

func (b *builder) names(f *mapping.File, t *Table) {
	check := func(s mapping.String, what string) bool {
		if !s.Set {
			return false
		}
		switch {
		case !naming.IsSnakeIdent(s.Value):
			b.errs.Add(s.Pos, "%s %q is not a valid name: use lower snake_case ([a-z][a-z0-9_]*, no double or trailing underscore)", what, s.Value)
		case naming.IsReservedPackageName(s.Value):
			b.errs.Add(s.Pos, "%s %q is a Go keyword or predeclared name and cannot name a Go package: choose another name", what, s.Value)
		default:
			return true
		}
		return false
	}
	okService := check(f.Service, "service")
	okTable := check(f.Table, "table")
	if okTable && (IsSCDName(t.Name) || strings.HasSuffix(t.Name, "_current")) {
		b.errs.Add(f.Table.Pos, "table %q clashes with a generated name: choose another name", t.Name)
	}
	if okService && okTable {
		ext := ".yaml"
		if strings.HasSuffix(f.Path, ".yml") {
			ext = ".yml" // the compiler reads both
		}
		want := path.Join("mappings", t.Service, t.Name+ext)
		if !strings.HasSuffix(f.Path, want) {
			b.errs.Add(f.Table.Pos, "mapping for %s/%s must live in %s, not %s: move the file or fix service/table", t.Service, t.Name, want, f.Path)
		}
	}
	t.GoPackage = t.Name
	t.Dir = path.Join("generated", t.Service, t.Name)
	t.ImportPath = b.in.Module + "/" + t.Dir
	t.CmdName = naming.CommandName(t.Service, t.Name)
	t.CurrentView = t.Name + "_current"
	if f.Source.Endpoint.Set && !identRE.MatchString(t.Endpoint) {
		b.errs.Add(f.Source.Endpoint.Pos, "source.endpoint %q is not an API path like service/tickets", t.Endpoint)
	}
}

// reservedGoFields are the names the row struct already uses.
var reservedGoFields = map[string]bool{"SCD": true}

func init() {
	for _, c := range SCDColumns {
		reservedGoFields[c.GoName] = true
	}
}

func (b *builder) column(fd *mapping.Field, t *Table, spec *sourcespec.Spec) *Column {
	before := len(b.errs)
	c := &Column{Pos: fd.Pos, Name: fd.Name.Value, Description: strings.TrimSpace(fd.Description.Value), DescriptionPos: fd.Description.Pos, Hashed: true}
	if !fd.Name.Set {
		return nil
	}
	switch {
	case IsSCDName(c.Name):
		b.errs.Add(fd.Name.Pos, "column %q is reserved: the compiler adds the SCD Type 2 columns (%s) itself", c.Name, strings.Join(scdNames(), ", "))
	case naming.IsGoKeyword(c.Name):
		b.errs.Add(fd.Name.Pos, "column %q is a Go keyword: choose another name (e.g. %s_name)", c.Name, c.Name)
	case !naming.IsSnakeIdent(c.Name):
		b.errs.Add(fd.Name.Pos, "column %q is not a valid name: use lower snake_case ([a-z][a-z0-9_]*, no double or trailing underscore)", c.Name)
	}
	c.GoName = naming.GoName(c.Name)
	if reservedGoFields[c.GoName] && !IsSCDName(c.Name) {
		b.errs.Add(fd.Name.Pos, "column %q becomes Go field %s, which the row struct already has: choose another name", c.Name, c.GoName)
	}
	if c.Description == "" && fd.Description.Set {
		b.errs.Add(fd.Description.Pos, "column %q: description is empty: say what the column means", c.Name)
	}

	if fd.Type.Set {
		typ, err := ParseType(fd.Type.Value)
		if err != nil {
			b.errs.Add(fd.Type.Pos, "column %q: %v", c.Name, err)
		}
		typ.Nullable = fd.Nullable.Value
		if typ.Kind == Enum {
			typ.Values = b.enumValues(fd, c.Name)
		} else if len(fd.Values) > 0 || fd.ValuesPos.Line > 0 {
			b.errs.Add(fd.ValuesPos, "column %q: values are only for type enum", c.Name)
		}
		c.Type = typ
	}

	switch {
	case fd.Unmapped.Set:
		c.Unmapped = strings.TrimSpace(fd.Unmapped.Value)
		if c.Unmapped == "" {
			b.errs.Add(fd.Unmapped.Pos, "column %q: unmapped needs a reason a reviewer can read", c.Name)
		}
		if fd.Source.Set {
			b.errs.Add(fd.Unmapped.Pos, "column %q has both source and unmapped: keep one", c.Name)
		}
		if fd.Child != nil {
			b.errs.Add(fd.Child.Pos, "column %q has both unmapped and child: keep one", c.Name)
		}
		if fd.Convert.Set {
			b.errs.Add(fd.Convert.Pos, "column %q is unmapped: convert has nothing to convert", c.Name)
		}
		if !fd.Nullable.Value && !fd.Incomplete {
			b.errs.Add(fd.Pos, "column %q is unmapped, so it is always NULL: add nullable: true", c.Name)
		}
	case fd.Child != nil:
		if len(b.errs) == before {
			b.child(fd, c, t, spec)
		}
	case !fd.Source.Set:
		if !fd.Incomplete { // else the parser reported the key
			b.errs.Add(fd.Pos, "column %q has no source: give the source path (source: a__b), a child endpoint (child:) or say why in unmapped:", c.Name)
		}
	case spec != nil:
		b.source(fd, c, t, spec)
	}
	if fd.AcknowledgeWriteOnly.Set && fd.Unmapped.Set {
		b.errs.Add(fd.AcknowledgeWriteOnly.Pos, "column %q is unmapped: acknowledge.write_only has no source to acknowledge; remove it", c.Name)
	} else if fd.AcknowledgeWriteOnly.Set && c.WriteOnly == "" && len(b.errs) == before {
		b.errs.Add(fd.AcknowledgeWriteOnly.Pos, "column %q: acknowledge.write_only is set but source %q is returned by GET: remove the acknowledgement", c.Name, fd.Source.Value)
	}
	return c
}

func scdNames() []string {
	out := make([]string, len(SCDColumns))
	for i, c := range SCDColumns {
		out[i] = c.Name
	}
	return out
}

func (b *builder) enumValues(fd *mapping.Field, col string) []string {
	if len(fd.Values) == 0 {
		pos := fd.ValuesPos
		if pos.Line == 0 {
			pos = fd.Type.Pos
		}
		b.errs.Add(pos, "column %q: type enum needs values: [A, B, ...]", col)
		return nil
	}
	if len(fd.Values) > 127 {
		b.errs.Add(fd.ValuesPos, "column %q: %d enum values, Enum8 holds at most 127", col, len(fd.Values))
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range fd.Values {
		switch {
		case v.Value == "":
			b.errs.Add(v.Pos, "column %q: empty enum value", col)
		case seen[v.Value]:
			b.errs.Add(v.Pos, "column %q: duplicate enum value %q", col, v.Value)
		case strings.ContainsFunc(v.Value, func(r rune) bool { return r < 0x20 }):
			b.errs.Add(v.Pos, "column %q: enum value %q contains a control character", col, v.Value)
		}
		seen[v.Value] = true
		out = append(out, v.Value)
	}
	return out
}

// source resolves the column's source path and checks the conversion.
func (b *builder) source(fd *mapping.Field, c *Column, t *Table, spec *sourcespec.Spec) {
	r, err := spec.Resolve(t.Endpoint, fd.Source.Value)
	if err != nil {
		b.errs.Add(fd.Source.Pos, "column %q: %s", c.Name, resolveMessage(err))
		return
	}
	c.Source = &SourceRef{Pos: fd.Source.Pos, Path: fd.Source.Value, Segments: r.Segments, JSONType: r.Type, Format: r.Format, Enum: r.Enum, MapDepth: -1}
	if r.ViaMap {
		c.Source.MapDepth = len(r.Segments) - 2 // the map is the segment before the free key
	}
	if r.WriteOnly {
		if !fd.AcknowledgeWriteOnly.Set {
			if fd.AcknowledgeWriteOnly.Pos.Line > 0 {
				return // an acknowledge: the parser could not read (reported)
			}
			note := r.WriteOnlyNote
			if note == "" {
				note = "write-only"
			}
			b.errs.Add(fd.Source.Pos, "column %q: source %q is never returned by GET (%s), so the column would always be NULL: map another source, mark the column unmapped: <reason>, or add acknowledge: {write_only: <reason>}", c.Name, fd.Source.Value, note)
			return
		}
		c.WriteOnly = strings.TrimSpace(fd.AcknowledgeWriteOnly.Value)
		if c.WriteOnly == "" {
			b.errs.Add(fd.AcknowledgeWriteOnly.Pos, "column %q: acknowledge.write_only needs a reason a reviewer can read", c.Name)
		}
		if !fd.Nullable.Value && !fd.Incomplete {
			b.errs.Add(fd.Pos, "column %q reads a write-only source, so it is always NULL: add nullable: true", c.Name)
		}
	}
	if c.Type.Kind == 0 {
		return // no readable type (reported): nothing to check the source against
	}
	b.conversion(fd, c, r, fd.Source.Value, fd.Source.Pos)
}

// conversion checks that the resolved source r (written as path at pos)
// converts to the column's type, directly or by the field's convert, and
// records the conversion. It reports false after an error.
func (b *builder) conversion(fd *mapping.Field, c *Column, r *sourcespec.Resolved, path string, pos diag.Pos) bool {
	before := len(b.errs)
	conv := Conversion(fd.Convert.Value)
	direct, why := directlyCompatible(c.Type, r)
	switch {
	case fd.Convert.Set:
		spec, known := conversions[conv]
		switch {
		case !known:
			msg := fmt.Sprintf("column %q: unknown conversion %q", c.Name, fd.Convert.Value)
			if s := diag.Suggest(fd.Convert.Value, ConversionNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known: " + strings.Join(ConversionNames(), ", ") + ")"
			}
			b.errs.Add(fd.Convert.Pos, "%s", msg)
		case spec.to != c.Type.Kind:
			b.errs.Add(fd.Convert.Pos, "column %q: conversion %s produces %s, but the column is %s: remove convert or change the type", c.Name, conv, spec.to, c.Type.Kind)
		case !slices.Contains(spec.from, r.Type):
			b.errs.Add(fd.Convert.Pos, "column %q: conversion %s reads %s, but source %q is %s", c.Name, conv, strings.Join(spec.from, " or "), path, describeSource(r))
		case direct:
			b.errs.Add(fd.Convert.Pos, "column %q: source %q is already %s: remove convert", c.Name, path, describeSource(r))
		default:
			c.Convert = conv
		}
	case !direct:
		b.errs.Add(pos, "column %q: cannot read %s source %q as %s: %s", c.Name, describeSource(r), path, c.Type.Kind, why)
	}
	if c.Type.Kind == Enum && len(r.Enum) > 0 && len(c.Type.Values) > 0 {
		for _, v := range r.Enum {
			if !slices.Contains(c.Type.Values, v) {
				b.errs.Add(fd.ValuesPos, "column %q: the source can send %q, which is not among the enum values: add it", c.Name, v)
			}
		}
	}
	return len(b.errs) == before
}

// resolveMessage is the message of a sourcespec.Resolve error.
func resolveMessage(err error) string {
	var pe *sourcespec.PathError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}

func describeSource(r *sourcespec.Resolved) string {
	return (&SourceRef{JSONType: r.Type, Format: r.Format, Enum: r.Enum}).SpecType()
}

// directlyCompatible reports whether a source value converts to the
// canonical type without an explicit conversion, and if not, what to do
// (the type's SourceRules in kindSpecs).
func directlyCompatible(t Type, r *sourcespec.Resolved) (bool, string) {
	return t.Kind.Source(r.Type, r.Format, len(r.Enum) > 0)
}

// hashDefinition fingerprints the hash inputs: encoding version, then each
// hashed column's name and canonical type.
func hashDefinition(t *Table) string {
	h := sha256.New()
	fmt.Fprintf(h, "canonic-record-hash/1\n")
	for _, c := range t.HashedColumns() {
		if c.Child != nil {
			// A column read from a child endpoint is reconciled apart from
			// its record: giving a column a child source re-baselines the
			// table instead of opening a version for every record.
			fmt.Fprintf(h, "%s %s child\n", c.Name, c.Type.Canonical())
			continue
		}
		fmt.Fprintf(h, "%s %s\n", c.Name, c.Type.Canonical())
	}
	return "v1:" + hex.EncodeToString(h.Sum(nil))[:16]
}
