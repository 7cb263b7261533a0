package chschema

// Column is one column of a table: its name, its ClickHouse type and its
// comment.
type Column struct {
	Name    string
	Type    string
	Comment string
}

// ChangeKind says how a column differs between two tables.
type ChangeKind int

// The kinds of column change, in the order Diff reports them for one column.
const (
	Added   ChangeKind = iota + 1 // in the wanted table only
	Retyped                       // in both, with types that normalise differently
	Moved                         // in both, in a different relative order
	Dropped                       // in the old table only
)

func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Retyped:
		return "retyped"
	case Moved:
		return "moved"
	case Dropped:
		return "dropped"
	}
	return "unknown"
}

// Change is one column difference from an old table to a wanted one.
type Change struct {
	Kind ChangeKind
	// Old is the column in the old table (zero for Added); New the column
	// in the wanted table (zero for Dropped).
	Old, New Column
	// OldPos and NewPos are the column's 0-based positions in each table,
	// -1 where it is absent.
	OldPos, NewPos int
	// After is the wanted column that precedes New ("" when New is first).
	After string
}

// Name is the changed column's name.
func (c Change) Name() string {
	if c.Kind == Dropped {
		return c.Old.Name
	}
	return c.New.Name
}

// Diff lists the column changes that turn old into want: for each wanted
// column in order, Added, Retyped and/or Moved; then Dropped for each old
// column want lacks, in old order. Types are compared after NormalizeType;
// comments are not compared. A column is Moved when its place among the
// columns both tables hold differs (a swap moves both columns).
func Diff(old, want []Column) []Change {
	oldIdx := make(map[string]int, len(old))
	for i, c := range old {
		oldIdx[c.Name] = i
	}
	wantIdx := make(map[string]bool, len(want))
	for _, c := range want {
		wantIdx[c.Name] = true
	}
	var oldCommon []string // old's order of the columns both hold
	for _, c := range old {
		if wantIdx[c.Name] {
			oldCommon = append(oldCommon, c.Name)
		}
	}
	var out []Change
	ci := 0
	for i, w := range want {
		after := ""
		if i > 0 {
			after = want[i-1].Name
		}
		j, found := oldIdx[w.Name]
		if !found {
			out = append(out, Change{Kind: Added, New: w, OldPos: -1, NewPos: i, After: after})
			continue
		}
		ch := Change{Old: old[j], New: w, OldPos: j, NewPos: i, After: after}
		if NormalizeType(old[j].Type) != NormalizeType(w.Type) {
			ch.Kind = Retyped
			out = append(out, ch)
		}
		if oldCommon[ci] != w.Name {
			ch.Kind = Moved
			out = append(out, ch)
		}
		ci++
	}
	for j, c := range old {
		if !wantIdx[c.Name] {
			out = append(out, Change{Kind: Dropped, Old: c, OldPos: j, NewPos: -1})
		}
	}
	return out
}

// LeavesNullable reports whether a Retyped change turns a Nullable column
// into a non-Nullable one (its NULLs need a DEFAULT).
func (c Change) LeavesNullable() bool {
	return c.Kind == Retyped && isNullable(c.Old.Type) && !isNullable(c.New.Type)
}

func isNullable(typ string) bool {
	t, err := ParseType(typ)
	if err != nil {
		return false
	}
	t.Normalize()
	_, nullable := t.Inner()
	return nullable
}
