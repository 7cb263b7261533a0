package emit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/emit"
	"github.com/canonic-data/canonic/gen/model"
)

// TestStatementSizeCap: a description that would make a DDL statement
// longer than ClickHouse's default max_query_size is refused at generate
// time, where the mapping states it (once, a 300 KB description
// generated fine and then failed every load with "Max query size
// exceeded").
func TestStatementSizeCap(t *testing.T) {
	long := strings.Repeat("x", 300<<10)
	fits := strings.Repeat("x", 200<<10)
	var many strings.Builder
	many.WriteString(ticketsYAML)
	for i := range 2500 {
		fmt.Fprintf(&many, "  - {name: extra_%d, type: string, nullable: true, unmapped: not in this source, description: Extra column %d%s.}\n", i, i, strings.Repeat(" of many", 8))
	}
	for _, c := range []struct {
		name, doc string
		want      string // "" when it must generate
	}{
		{"long column description", strings.Replace(ticketsYAML, "description: Status.", "description: "+long, 1),
			"mappings/connectwise/tickets.yaml:10:69: the description of column status is 307200 bytes: it makes the CREATE TABLE statement of generated/connectwise/tickets/tickets.sql "},
		{"long table description", strings.Replace(ticketsYAML, "description: Tickets.", "description: "+long, 1),
			"mappings/connectwise/tickets.yaml:4:14: the table's description is 307200 bytes: it makes the CREATE TABLE statement of generated/connectwise/tickets/tickets.sql "},
		{"many columns", many.String(),
			"mappings/connectwise/tickets.yaml:9:5: the table's 2502 columns make the CREATE TABLE statement of generated/connectwise/tickets/tickets.sql "},
		{"long descriptions that fit", strings.Replace(ticketsYAML, "description: Status.", "description: "+fits, 1), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := emit.Project(project(t, model.DefaultTarget, c.doc), nil)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(out["generated/connectwise/tickets/tickets.sql"]); n < 200<<10 {
					t.Errorf("DDL is %d bytes, want the long description in it", n)
				}
				return
			}
			var l diag.List
			if !errors.As(err, &l) || len(l) != 1 {
				t.Fatalf("err = %v, want one positioned problem", err)
			}
			msg := l[0].Error()
			if !strings.HasPrefix(msg, c.want) || !strings.Contains(msg, fmt.Sprintf("over the %d bytes ClickHouse accepts in one query (max_query_size", emit.MaxStatementBytes)) {
				t.Errorf("problem:\n %.300s\nwant it to start\n %s\nand name the cap", msg, c.want)
			}
		})
	}
}
