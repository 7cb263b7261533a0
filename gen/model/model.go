// Package model is the compiler's validated intermediate representation:
// tables, columns, canonical types, resolved source paths and Go names.
// Build turns parsed mapping files into a Project or reports every
// problem at file:line:col. Emitters may assume a Project is valid and
// never need to check anything again.
package model

import (
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
)

// Tool is the generator's name as written in every generated header.
const Tool = "canonic"

// Project is every table the mappings declare, for one target.
type Project struct {
	Target Target
	// Module is the Go module path generated code lives in.
	Module string
	Tables []*Table
}

// Table is one warehouse table compiled from one mapping file.
type Table struct {
	Mapping     string // mapping path relative to the project root, slash-separated
	Service     string // "connectwise"
	Name        string // "tickets"
	Description string
	// DescriptionPos is where the mapping states Description.
	DescriptionPos diag.Pos
	Endpoint       string // "service/tickets"
	SpecVersion    string // source spec version the paths were resolved against

	GoPackage  string // Go package name: the table name
	Dir        string // "generated/connectwise/tickets"
	ImportPath string // module + "/" + Dir
	CmdName    string // "backfill-connectwise-tickets"

	// Columns are the business columns in mapping order; SCD columns follow
	// them in the table (see SCDColumns).
	Columns []*Column
	Key     *Column
	// VersionFrom dates new versions; nil means the run's start.
	VersionFrom *Column
	// Cursor is the incremental cursor column, nil when none; CursorField
	// is the source's condition field.
	Cursor      *Column
	CursorField string
	// SourceKeyField is the source field of the key ("id").
	SourceKeyField string

	OrderBy     []string
	PartitionBy string // "" or a validated expression
	CurrentView string // "tickets_current"

	// HashDefinition identifies the hashed columns and the encoding.
	HashDefinition string
	// Source is the tree of JSON keys the mapping reads.
	Source *SourceNode
	// Breaking lists the mapping's reviewed breaking changes.
	Breaking []BreakingAck
}

// SourceFields lists the source's field paths the mapping reads, in
// ConnectWise's partial-response syntax ("status/name"; a free-keyed map
// such as _info is asked for whole), first use first.
func (t *Table) SourceFields() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if c.Source == nil {
			continue
		}
		segs := c.Source.Segments
		if c.Source.MapDepth >= 0 {
			segs = segs[:c.Source.MapDepth+1]
		}
		f := strings.Join(segs, "/")
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Change classes of the breaking-change report, by what they break.
const (
	ClassGoAPI     = "GO_API"    // a generated struct field removed, renamed or retyped
	ClassWarehouse = "WAREHOUSE" // a column dropped or retyped; key, ORDER BY, engine changed
	ClassHistory   = "HISTORY"   // the record hash's inputs or encoding changed
	ClassSource    = "SOURCE"    // a source path or conversion changed
)

// Classes lists the change classes.
var Classes = []string{ClassGoAPI, ClassWarehouse, ClassHistory, ClassSource}

// BreakingAck is one acknowledged breaking change.
type BreakingAck struct {
	Pos    diag.Pos
	Class  string
	Column string // "" for table-level changes
	Reason string
}

// Acknowledged returns the acknowledgement covering a change of class
// for column ("" for table-level), or nil.
func (t *Table) Acknowledged(class, column string) *BreakingAck {
	for i, a := range t.Breaking {
		if a.Class == class && (a.Column == column || a.Column == "*") {
			return &t.Breaking[i]
		}
	}
	return nil
}

// AllColumnNames lists business then SCD column names in table order.
func (t *Table) AllColumnNames() []string {
	names := make([]string, 0, len(t.Columns)+len(SCDColumns))
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	for _, c := range SCDColumns {
		names = append(names, c.Name)
	}
	return names
}

// HashedColumns lists the columns the record hash covers, in order.
func (t *Table) HashedColumns() []*Column {
	var out []*Column
	for _, c := range t.Columns {
		if c.Hashed {
			out = append(out, c)
		}
	}
	return out
}

// Column is one business column.
type Column struct {
	Pos         diag.Pos
	Name        string
	GoName      string
	Description string
	// DescriptionPos is where the mapping states Description.
	DescriptionPos diag.Pos
	Type           Type
	// Source is nil for an unmapped column.
	Source *SourceRef
	// Convert is the explicit conversion from the source type.
	Convert Conversion
	// Unmapped says why the column has no source (always NULL).
	Unmapped string
	// WriteOnly is the author's acknowledgement that the source never
	// returns this property (always NULL in practice).
	WriteOnly string
	// Hashed is false for scd.ignore_changes columns.
	Hashed bool
	// EnumGoType names the generated Go type of an enum column's values
	// ("Severity"), and EnumGoConsts its constants, one per value in
	// order ("SeverityLow"); empty for other kinds.
	EnumGoType   string
	EnumGoConsts []string
	// Child is set when the column reads a child endpoint of the record
	// (Source is then nil).
	Child *ChildRef
}

// Comment is the DDL column comment: the description plus any decision a
// reviewer must see (unmapped, write-only, conversion).
func (c *Column) Comment() string {
	s := c.Description
	switch {
	case c.Unmapped != "":
		s += " [Not mapped for this source, always NULL: " + c.Unmapped + "]"
	case c.WriteOnly != "":
		s += " [Source " + c.Source.Path + " is write-only, never returned by GET, so this is NULL: " + c.WriteOnly + "]"
	case c.Child != nil:
		s += " [Source: " + c.Child.Describe() + "; NULL when none]"
	}
	if c.Source != nil && c.Convert != ConvertNone {
		s += " [Source " + c.Source.Path + " converted: " + string(c.Convert) + "]"
	}
	if c.Child != nil && c.Convert != ConvertNone {
		s += " [Source " + c.Child.Property.Path + " converted: " + string(c.Convert) + "]"
	}
	return s
}

// SourceRef is a resolved source path.
type SourceRef struct {
	Pos      diag.Pos
	Path     string   // as written, "status__name"
	Segments []string // JSON keys, ["status", "name"]
	JSONType string   // integer | number | string | boolean
	Format   string
	Enum     []string
	Leaf     *SourceNode
	// GoPath is the chain of Go field names from Source to the leaf.
	GoPath []string
	// MapDepth is the index of the segment naming a free-keyed map
	// (ConnectWise's _info), or -1.
	MapDepth int
}

// SpecType describes the source value as the spec declares it, e.g.
// "string (date-time)", "integer (int32)", "string enum".
func (s *SourceRef) SpecType() string {
	t := s.JSONType
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		t += " enum"
	}
	return t
}

// SourceNode is one JSON key the mapping reads; objects have Children.
type SourceNode struct {
	Key      string // JSON key; "" for the root
	GoName   string // field name in the parent struct
	TypeName string // Go type name for objects ("Source", "SourceStatus")
	Children []*SourceNode
	// Leaf fields:
	JSONType string // integer | number | string | boolean
	// AsText decodes a number as its literal text (exact decimals).
	AsText bool
}

// SCDColumn is one of the six SCD Type 2 columns.
type SCDColumn struct {
	Name    string
	GoName  string
	Type    Type
	Comment string
}

// SCDColumns are appended to every table, in this order. Their Go fields
// live in internal/table.SCD, which generated rows embed.
var SCDColumns = []SCDColumn{
	{"effective_start_date", "EffectiveStartDate", Type{Kind: DateTime}, "When this version became true: the source's version timestamp, else the run's start (UTC)."},
	{"effective_end_date", "EffectiveEndDate", Type{Kind: DateTime, Nullable: true}, "When the next version replaced this one; NULL while current."},
	{"is_current", "IsCurrent", Type{Kind: Bool}, "True for the one open version of a key."},
	{"created_at", "CreatedAt", Type{Kind: DateTime}, "When this version row was first written."},
	{"updated_at", "UpdatedAt", Type{Kind: DateTime}, "When this version row was last rewritten; the ReplacingMergeTree version."},
	{"record_hash", "RecordHash", Type{Kind: String}, "SHA-256 (hex) of the business columns' canonical encoding, scd.ignore_changes excluded."},
}

// IsSCDName reports whether name is reserved for an SCD column.
func IsSCDName(name string) bool {
	for _, c := range SCDColumns {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Conversion is an explicit source-to-canonical conversion.
type Conversion string

// The conversions a mapping may name in `convert:`.
const (
	ConvertNone             Conversion = ""
	ConvertIntToString      Conversion = "int_to_string"
	ConvertStringToDateTime Conversion = "string_to_datetime"
	ConvertStringToDate     Conversion = "string_to_date"
	ConvertNumberToDecimal  Conversion = "number_to_decimal"
	ConvertStringToEnum     Conversion = "string_to_enum"
	ConvertStringToUUID     Conversion = "string_to_uuid"
)

// CommentLines splits free text (a mapping description) into lines that are
// safe behind a line-comment marker ("// " in Go, "-- " in SQL): control
// characters and Unicode line separators become spaces, so no text can end
// the comment early, and so does a byte order mark, which Go rejects
// anywhere but at the start of a file. Trailing spaces are trimmed.
func CommentLines(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\uFEFF' {
				return ' '
			}
			return r
		}, line)
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}
