package evolve

import (
	"fmt"
	"slices"
	"strings"

	"github.com/canonic-data/canonic/internal/chschema"
)

// Change is one difference between two snapshots of a table.
type Change struct {
	Class  string // model.Class*
	Column string // "" for table-level changes
	What   string // human description
	// Breaking is false for changes reported for information only (an
	// added column re-baselines the record hash without new versions).
	Breaking bool
	// Schema is the typed column change of a WAREHOUSE change to a
	// column; nil for every other change.
	Schema *chschema.Change
}

// Diff classifies every difference from old to cur. Changes come in a
// stable order: by class as listed in model.Classes, then by column order
// (WAREHOUSE column changes in chschema.Diff's order).
func Diff(old, cur *Schema) []Change {
	var out []Change
	add := func(class, column, what string, breaking bool) {
		out = append(out, Change{Class: class, Column: column, What: what, Breaking: breaking})
	}
	// GO_API: the generated Row struct.
	for _, oc := range old.Columns {
		nc, _, ok := cur.column(oc.Name)
		switch {
		case !ok:
			add("GO_API", oc.Name, fmt.Sprintf("field %s (%s) removed from Row", oc.GoName, oc.GoType), true)
		case nc.GoName != oc.GoName:
			add("GO_API", oc.Name, fmt.Sprintf("field %s renamed to %s", oc.GoName, nc.GoName), true)
		case nc.GoType != oc.GoType:
			add("GO_API", oc.Name, fmt.Sprintf("field %s retyped from %s to %s", oc.GoName, oc.GoType, nc.GoType), true)
		}
	}
	// WAREHOUSE: columns (the typed changes of chschema.Diff, the same the
	// runtime's preflight reports), key, ORDER BY, engine, partitioning.
	for _, sc := range chschema.Diff(old.warehouseColumns(), cur.warehouseColumns()) {
		var what string
		switch sc.Kind {
		case chschema.Added:
			what = fmt.Sprintf("column %s %s added", sc.New.Name, sc.New.Type)
		case chschema.Retyped:
			what = fmt.Sprintf("column %s retyped from %s to %s", sc.New.Name, sc.Old.Type, sc.New.Type)
		case chschema.Moved:
			what = fmt.Sprintf("column %s moved: existing columns changed order", sc.New.Name)
		case chschema.Dropped:
			what = fmt.Sprintf("column %s %s dropped", sc.Old.Name, sc.Old.Type)
		}
		out = append(out, Change{Class: "WAREHOUSE", Column: sc.Name(), What: what, Breaking: sc.Kind != chschema.Added, Schema: &sc})
	}
	if old.Key != cur.Key {
		add("WAREHOUSE", "", fmt.Sprintf("key changed from %s to %s", old.Key, cur.Key), true)
	}
	if !slices.Equal(old.OrderBy, cur.OrderBy) {
		add("WAREHOUSE", "", fmt.Sprintf("ORDER BY changed from (%s) to (%s)", strings.Join(old.OrderBy, ", "), strings.Join(cur.OrderBy, ", ")), true)
	}
	if old.Engine != cur.Engine {
		add("WAREHOUSE", "", fmt.Sprintf("engine changed from %s to %s", old.Engine, cur.Engine), true)
	}
	if old.PartitionBy != cur.PartitionBy {
		add("WAREHOUSE", "", fmt.Sprintf("PARTITION BY changed from %q to %q", old.PartitionBy, cur.PartitionBy), true)
	}
	// HISTORY: the record hash. The runtime re-baselines current versions
	// when the hashed set changes (no new versions) as long as it can still
	// compute the old hash: columns added to or left out of the hash are
	// fine; a hashed column dropped or retyped, or a new encoding, gives
	// every key a new version.
	if old.HashDefinition != cur.HashDefinition {
		for _, name := range old.HashedColumns {
			oc, _, _ := old.column(name)
			nc, _, ok := cur.column(name)
			switch {
			case !ok:
				add("HISTORY", name, fmt.Sprintf("hashed column %s dropped: the old hashes cannot be recomputed, every key gets a new version at the next run", name), true)
			case nc.Canonical != oc.Canonical:
				add("HISTORY", name, fmt.Sprintf("hashed column %s retyped from %s to %s: every key gets a new version at the next run", name, oc.Canonical, nc.Canonical), true)
			case !slices.Contains(cur.HashedColumns, name):
				add("HISTORY", name, fmt.Sprintf("column %s leaves the record hash: the next run re-baselines current versions (no new versions); changes to it alone no longer open versions", name), false)
			}
		}
		for _, name := range cur.HashedColumns {
			if !slices.Contains(old.HashedColumns, name) {
				add("HISTORY", name, fmt.Sprintf("column %s joins the record hash: the next run re-baselines current versions (no new versions)", name), false)
			}
		}
		if !strings.HasPrefix(cur.HashDefinition, strings.SplitN(old.HashDefinition, ":", 2)[0]+":") {
			add("HISTORY", "", fmt.Sprintf("hash encoding changed from %s to %s: every key gets a new version at the next run", old.HashDefinition, cur.HashDefinition), true)
		}
	}
	// SOURCE: the same column now reads something else.
	for _, oc := range old.Columns {
		nc, _, ok := cur.column(oc.Name)
		if !ok {
			continue
		}
		if nc.Source != oc.Source {
			add("SOURCE", oc.Name, fmt.Sprintf("column %s now reads %s instead of %s", oc.Name, orNone(nc.Source), orNone(oc.Source)), true)
		} else if nc.Convert != oc.Convert {
			add("SOURCE", oc.Name, fmt.Sprintf("column %s converts with %s instead of %s", oc.Name, orNone(nc.Convert), orNone(oc.Convert)), true)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// warehouseColumns are the snapshot's columns as chschema compares them.
func (s *Schema) warehouseColumns() []chschema.Column {
	out := make([]chschema.Column, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = chschema.Column{Name: c.Name, Type: c.ClickHouse, Comment: c.Comment}
	}
	return out
}
