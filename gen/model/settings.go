package model

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/sourcespec"
)

// settings checks the table-level keys once the columns are known.
func (b *builder) settings(f *mapping.File, t *Table, cols map[string]*Column, spec *sourcespec.Spec) {
	// A field whose name could not be read may be the one named: then a
	// missing column is not reported again.
	unnamed := false
	for _, fd := range f.Fields {
		unnamed = unnamed || !fd.Name.Set
	}
	lookup := func(s mapping.String, what string) *Column {
		if !s.Set {
			return nil
		}
		c := cols[s.Value]
		if c == nil && len(cols) > 0 && !unnamed { // no fields at all is reported once, at fields
			names := make([]string, 0, len(cols))
			for n := range cols {
				names = append(names, n)
			}
			sort.Strings(names)
			msg := fmt.Sprintf("%s: no column %q in fields", what, s.Value)
			if sug := diag.Suggest(s.Value, names); sug != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sug)
			}
			b.errs.Add(s.Pos, "%s", msg)
		}
		return c
	}
	if k := lookup(f.Key, "key"); k != nil {
		t.Key = k
		switch {
		case k.Type.Kind == 0:
			// no readable type: reported at the column
		case !k.Type.Kind.Spec().Key:
			b.errs.Add(f.Key.Pos, "key column %q is %s: keys must be %s", k.Name, k.Type.Kind, strings.Join(KeyKindNames(), " or "))
		case k.Type.Nullable:
			b.errs.Add(f.Key.Pos, "key column %q is nullable: a business key must always have a value; remove nullable: true", k.Name)
		case k.Source == nil && k.Unmapped == "":
			// an unresolved source was already reported
		case k.Source == nil || len(k.Source.Segments) != 1:
			b.errs.Add(f.Key.Pos, "key column %q must come from a top-level source field (like id)", k.Name)
		default:
			t.SourceKeyField = k.Source.Segments[0]
		}
		k.Hashed = true
	}
	if c := lookup(f.SCD.VersionFrom, "scd.version_from"); c != nil {
		if c.Type.Kind != DateTime && c.Type.Kind != 0 {
			b.errs.Add(f.SCD.VersionFrom.Pos, "scd.version_from column %q is %s: it must be a datetime", c.Name, c.Type.Kind)
		}
		t.VersionFrom = c
	}
	for _, s := range f.SCD.IgnoreChanges {
		if c := lookup(s, "scd.ignore_changes"); c != nil {
			if c == t.Key {
				b.errs.Add(s.Pos, "scd.ignore_changes: the key %q identifies the record and cannot be ignored", c.Name)
			}
			c.Hashed = false
		}
	}
	if f.Cursor != nil {
		if c := lookup(f.Cursor.Column, "cursor.column"); c != nil {
			if c.Type.Kind != DateTime && c.Type.Kind != 0 {
				b.errs.Add(f.Cursor.Column.Pos, "cursor.column %q is %s: the incremental cursor must be a datetime", c.Name, c.Type.Kind)
			}
			t.Cursor = c
		}
		t.CursorField = f.Cursor.SourceField.Value
		b.cursorField(f.Cursor.SourceField, t, spec)
	}
	if t.Key != nil {
		t.OrderBy = []string{t.Key.Name, "effective_start_date"}
	}
	if len(f.ClickHouse.OrderBy) > 0 && t.Key != nil {
		var got []string
		for _, s := range f.ClickHouse.OrderBy {
			got = append(got, s.Value)
		}
		if !slices.Equal(got, t.OrderBy) {
			b.errs.Add(f.ClickHouse.OrderBy[0].Pos, "clickhouse.order_by must be [%s, effective_start_date]: a version is identified by its key and start, and ReplacingMergeTree collapses rewrites of a version only when ORDER BY is exactly that", t.Key.Name)
		}
	}
	if p := f.ClickHouse.PartitionBy; p.Set {
		if !partitionRE.MatchString(p.Value) {
			b.errs.Add(p.Pos, "clickhouse.partition_by %q: use a function of effective_start_date (toYYYYMM, toYear, toMonday, toStartOfMonth, toStartOfQuarter, toStartOfYear), e.g. toYYYYMM(effective_start_date); a version's rewrites must stay in its partition", p.Value)
		} else {
			t.PartitionBy = p.Value
		}
	}
}

// cursorField checks cursor.source_field against the spec: a date-time
// the endpoint can filter on, and the very value the cursor column reads,
// or a resumed run would skip or repeat records.
func (b *builder) cursorField(sf mapping.String, t *Table, spec *sourcespec.Spec) {
	if !sf.Set {
		return
	}
	if !identRE.MatchString(sf.Value) {
		b.errs.Add(sf.Pos, "cursor.source_field %q is not a condition field like lastUpdated or _info/lastUpdated", sf.Value)
		return
	}
	if spec == nil {
		return // no spec or no endpoint: reported once, elsewhere
	}
	segs, err := spec.DateTimeField(t.Endpoint, sf.Value)
	if err != nil {
		b.errs.Add(sf.Pos, "cursor.source_field %v", err)
		return
	}
	c := t.Cursor
	switch {
	case c == nil:
	case c.Unmapped != "" || c.WriteOnly != "":
		b.errs.Add(sf.Pos, "cursor.column %q is always NULL (no source): the cursor must read %s, e.g. source: %s", c.Name, sf.Value, strings.Join(segs, sourcespec.Separator))
	case c.Source != nil && !slices.Equal(c.Source.Segments, segs):
		b.errs.Add(sf.Pos, "cursor.source_field %q filters on %s, but cursor.column %q reads %s: a resumed run would skip or repeat records; name the same field in both", sf.Value, strings.Join(segs, sourcespec.ConditionSeparator), c.Name, c.Source.Path)
	}
}

var partitionRE = regexp.MustCompile(`^(toYYYYMM|toYear|toMonday|toStartOfMonth|toStartOfYear|toStartOfQuarter)\(effective_start_date\)$`)
