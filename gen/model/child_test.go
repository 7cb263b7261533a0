package model_test

import (
	"fmt"
	"slices"
	"testing"
)

const childField = `  - name: description
    type: string
    nullable: true
    child:
      endpoint: service/tickets/{parentId}/notes
      where: detailDescriptionFlag = true and ticketId > 0 AND createdBy = "a and b"
      order_by: [dateCreated, id desc]
      pick: %s
      property: text
    description: Text.
`

// A child column resolves to what the runtime requests: the condition
// normalised, the order reversed for pick: last, the fields, and no
// source path on the record; giving a column a child source changes the
// hash definition (the table re-baselines).
func TestChildColumn(t *testing.T) {
	for _, c := range []struct {
		pick, order string
	}{
		{"first", "dateCreated asc,id desc"},
		{"last", "dateCreated desc,id asc"},
	} {
		tb := mustBuild(t, fmt.Sprintf(childField, c.pick))
		col := tb.Columns[2]
		ch := col.Child
		if ch == nil || col.Source != nil {
			t.Fatalf("%s: column %+v, want a child column without a source", c.pick, col)
		}
		if ch.RequestOrderBy != c.order {
			t.Errorf("pick %s: request order %q, want %q", c.pick, ch.RequestOrderBy, c.order)
		}
		if want := `detailDescriptionFlag = true AND ticketId > 0 AND createdBy = "a and b"`; ch.Conditions != want {
			t.Errorf("conditions %q, want %q", ch.Conditions, want)
		}
		if !slices.Equal(ch.Fields(), []string{"text"}) || slices.Contains(tb.SourceFields(), "text") {
			t.Errorf("child fields %q, record fields %q", ch.Fields(), tb.SourceFields())
		}
	}
	unmapped := mustBuild(t, "  - name: description\n    type: string\n    nullable: true\n    unmapped: None.\n    description: Text.\n")
	child := mustBuild(t, fmt.Sprintf(childField, "first"))
	if unmapped.HashDefinition == child.HashDefinition {
		t.Error("an unmapped column becoming a child column keeps the hash definition: the table would not re-baseline")
	}
}
