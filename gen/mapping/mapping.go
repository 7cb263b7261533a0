// Package mapping reads canonical mapping files and the project settings
// file: YAML in, position-carrying syntax trees out. It is strict: unknown
// keys, duplicate keys, wrong node kinds and a missing or unsupported
// `version` are errors at file:line:col. It checks shape only; meaning
// (types, source paths, names) is checked by package model.
package mapping

import (
	"github.com/canonic-data/canonic/gen/diag"
)

// FormatVersion is the mapping and settings format this compiler reads.
const FormatVersion = 1

// String is a scalar with the position of its value (or of its key's
// parent when absent).
type String struct {
	Value string
	Pos   diag.Pos
	Set   bool
}

// Int is an integer scalar with its position.
type Int struct {
	Value int
	Pos   diag.Pos
	Set   bool
}

// Bool is a boolean scalar with its position.
type Bool struct {
	Value bool
	Pos   diag.Pos
	Set   bool
}

// File is one mapping: mappings/<service>/<table>.yaml.
type File struct {
	Path        string // slash-separated, relative to the project root
	Pos         diag.Pos
	Version     Int
	Service     String
	Table       String
	Description String
	Source      Source
	Key         String
	SCD         SCD
	Cursor      *Cursor
	ClickHouse  ClickHouse
	Fields      []*Field
	FieldsPos   diag.Pos
	// Breaking lists reviewed, deliberate breaking changes (see the
	// breaking command and migrations).
	Breaking []*BreakingAck
	// Incomplete is set when part of the file could not be read (the
	// parser reported it): model.Build still checks what was read, so one
	// pass finds every problem, but makes no table of it.
	Incomplete bool
}

// BreakingAck acknowledges one breaking change of a class, optionally for
// one column, with the reason a reviewer accepted it.
type BreakingAck struct {
	Pos    diag.Pos
	Class  String // GO_API, WAREHOUSE, HISTORY or SOURCE
	Column String // the column concerned; absent for table-level changes
	Reason String
}

// Source says where records come from.
type Source struct {
	Pos      diag.Pos
	Endpoint String // "service/tickets", relative to the API base
}

// SCD holds the Slowly Changing Dimension settings.
type SCD struct {
	Pos  diag.Pos
	Type Int // only 2
	// VersionFrom names the datetime column that dates a new version; when
	// empty, a new version starts at the run's start.
	VersionFrom String
	// IgnoreChanges lists columns that never open a new version on their
	// own: they are left out of the record hash.
	IgnoreChanges []String
}

// Cursor names the incremental cursor.
type Cursor struct {
	Pos         diag.Pos
	Column      String // a datetime column, "last_updated"
	SourceField String // the source's condition field, "lastUpdated"
}

// ClickHouse holds table options.
type ClickHouse struct {
	Pos         diag.Pos
	OrderBy     []String
	PartitionBy String
}

// Field is one business column.
type Field struct {
	Pos         diag.Pos
	Name        String
	Type        String // canonical type name, "decimal(18,4)" included
	Values      []String
	ValuesPos   diag.Pos
	Nullable    Bool
	Source      String
	Convert     String
	Description String
	// Unmapped, when set, says why the column has no source for this
	// service; the column is then always NULL.
	Unmapped String
	// AcknowledgeWriteOnly, when set, is the author's reason for reading a
	// property the source never returns.
	AcknowledgeWriteOnly String
	// Incomplete is set when part of the field could not be read (a key
	// missing, unknown or of the wrong kind, reported by the parser):
	// model.Build then skips the checks that a missing key would trip.
	Incomplete bool
	// Child, when set, reads the column from a list endpoint under the
	// record instead of from the record itself.
	Child *Child
}

// Child reads a column from one record of a list endpoint under the
// parent record (service/tickets/{parentId}/notes): the records matching
// Where, ordered by OrderBy, the first or last one (Pick), its Property.
type Child struct {
	Pos        diag.Pos
	Endpoint   String   // "service/tickets/{parentId}/notes"
	Where      String   // a condition, "detailDescriptionFlag = true"; absent: every child
	OrderBy    []String // "dateCreated asc", "id asc"
	OrderByPos diag.Pos
	Pick       String // "first" (default) or "last"
	Property   String // source path on the child record, "text"
}

// Project is mappings/project.yaml.
type Project struct {
	Path       string
	Pos        diag.Pos
	Version    Int
	Target     String // oldest ClickHouse server the DDL must run on
	Sources    []*SourceSpec
	SourcesPos diag.Pos
}

// SourceSpec ties a service to its vendored source schema.
type SourceSpec struct {
	Pos     diag.Pos
	Service String
	Spec    String // path relative to the mappings directory
}
