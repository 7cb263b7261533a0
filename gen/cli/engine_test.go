package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/gen/emit/sqlddl"
	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

var targetLine = regexp.MustCompile(`(?m)^-- Target: ClickHouse (\d+)\.(\d+) or later\.`)

// TestGoldenDDLRunsOnEngines executes every golden case's DDL: on the
// embedded ClickHouse 26.x for every target, and on Debian's
// clickhouse-server 18.16 for the cases generated for target 18.16. The
// created tables must have exactly the columns and types the generated
// table descriptor declares.
func TestGoldenDDLRunsOnEngines(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*/want/generated/*/*/*.sql")
	if err != nil || len(files) < 5 {
		t.Fatalf("golden DDL files: %v %v", files, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, sqlddl.ClusterSuffix) {
			continue // TestGoldenClusterDDLRunsOnCluster
		}
		ddl, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := targetLine.FindSubmatch(ddl)
		if m == nil {
			t.Fatalf("%s: no Target line", f)
		}
		for18 := string(m[1]) == "18" && string(m[2]) == "16"
		name := strings.TrimPrefix(f, "testdata/golden/")
		t.Run(name+"/embedded", func(t *testing.T) { applyAndCheck(t, wt.Embedded(t), string(ddl), f) })
		if for18 {
			t.Run(name+"/server-18.16", func(t *testing.T) { applyAndCheck(t, wt.Server(t), string(ddl), f) })
		}
	}
}

// applyAndCheck creates a fresh database, applies ddl twice (IF NOT
// EXISTS must hold), and checks the table and view exist.
func applyAndCheck(t *testing.T, tg wt.Target, ddl, file string) {
	ctx := context.Background()
	db := wt.Database(t)
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := tg.Engine.ApplyDDL(ctx, db, ddl); err != nil {
			t.Fatalf("%s on %s: %v", file, tg.Kind, err)
		}
	}
	tbl := strings.TrimSuffix(filepath.Base(file), ".sql")
	cols, err := warehouse.Columns(ctx, tg.Engine, db, tbl)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) < 7 || cols[len(cols)-1].Name != "record_hash" {
		t.Fatalf("%s: unexpected columns %v", file, cols)
	}
	n := 0
	if err := tg.Engine.Query(ctx, "SELECT count() FROM "+warehouse.QuoteIdent(db)+"."+warehouse.QuoteIdent(tbl+"_current"), func(src []byte) (int, error) {
		n++
		return len(src), nil
	}); err != nil {
		t.Fatalf("current view: %v", err)
	}
	if n != 1 {
		t.Fatalf("SELECT count() FROM the current view returned %d rows, want 1", n)
	}
}

// designColumns is the order of tickets-canonical.md: 35 business columns,
// then the 6 SCD Type 2 columns.
var designColumns = strings.Fields(`id ticket_number summary description status priority severity impact urgency
type_id type_name subtype_id subtype_name company_id company_name contact_id contact_name board_id board_name
team_id team_name owner_id owner_name created_by created_date last_updated last_updated_by required_date
budget_hours actual_hours approved closed_date closed_by closed_flag record_type
effective_start_date effective_end_date is_current created_at updated_at record_hash`)

// TestTicketsDDLHas41ColumnsInOrder applies the checked-in tickets DDL
// (project target 18.16) on both engines and compares the live table with
// the design's 41 columns and the generated descriptor's types.
func TestTicketsDDLHas41ColumnsInOrder(t *testing.T) {
	if len(designColumns) != 41 || len(tickets.Columns) != 41 {
		t.Fatalf("design %d columns, generated %d; want 41", len(designColumns), len(tickets.Columns))
	}
	for i, c := range tickets.Columns {
		if c != designColumns[i] {
			t.Fatalf("column %d is %s, the design says %s", i+1, c, designColumns[i])
		}
	}
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		ctx := context.Background()
		db := wt.Database(t)
		if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
			t.Fatal(err)
		}
		if err := tg.Engine.ApplyDDL(ctx, db, tickets.Table.DDL); err != nil {
			t.Fatal(err)
		}
		live, err := warehouse.Columns(ctx, tg.Engine, db, "tickets")
		if err != nil {
			t.Fatal(err)
		}
		if len(live) != 41 {
			t.Fatalf("live table has %d columns, want 41", len(live))
		}
		if diff, _, ok := warehouse.CheckSchema(live, tickets.Table.Columns); !ok {
			t.Fatalf("live table differs from the generated descriptor:\n%s", diff)
		}
		for i, c := range live {
			if c.Name != designColumns[i] {
				t.Fatalf("live column %d is %s, want %s", i+1, c.Name, designColumns[i])
			}
		}
		var scd []string
		for _, c := range live[35:] {
			scd = append(scd, c.Name)
		}
		if strings.Join(scd, ",") != strings.Join(table.SCDColumnNames, ",") {
			t.Fatalf("SCD columns %v", scd)
		}
	})
}

// TestGoldenClusterDDLRunsOnCluster runs every golden case's cluster DDL
// generated for target 18.16 on the local 2x2 cluster (twice: IF NOT
// EXISTS holds). On every node, the Distributed table has exactly the
// columns, types and comments the single-node DDL gives on one 18.16
// server (a "$" written \x24 included), the local replicated table the
// same names and types, and the current view answers.
func TestGoldenClusterDDLRunsOnCluster(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*/want/generated/*/*/*" + sqlddl.ClusterSuffix)
	if err != nil || len(files) < 5 {
		t.Fatalf("golden cluster DDL files: %v %v", files, err)
	}
	ctx := context.Background()
	for _, f := range files {
		single := strings.TrimSuffix(f, sqlddl.ClusterSuffix) + ".sql"
		singleDDL, err := os.ReadFile(single)
		if err != nil {
			t.Fatal(err)
		}
		if m := targetLine.FindSubmatch(singleDDL); m == nil || string(m[1]) != "18" || string(m[2]) != "16" {
			continue
		}
		clusterDDL, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tbl := strings.TrimSuffix(filepath.Base(f), sqlddl.ClusterSuffix)
		t.Run(strings.TrimPrefix(f, "testdata/golden/"), func(t *testing.T) {
			srv := wt.Server(t)
			sdb := wt.Database(t)
			if err := warehouse.EnsureDatabase(ctx, srv.Engine, sdb); err != nil {
				t.Fatal(err)
			}
			if err := srv.Engine.ApplyDDL(ctx, sdb, string(singleDDL)); err != nil {
				t.Fatal(err)
			}
			want, err := warehouse.Columns(ctx, srv.Engine, sdb, tbl)
			if err != nil {
				t.Fatal(err)
			}

			tg := wt.Cluster(t)
			ddl, err := warehouse.ClusterDDL(string(clusterDDL), tg.Spec, tg.DB)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := tg.Engine.ApplyDDL(ctx, tg.DB, ddl); err != nil {
					t.Fatal(err)
				}
			}
			nodes, err := warehouse.ClusterNodes(ctx, tg.Engine, tg.Spec)
			if err != nil {
				t.Fatal(err)
			}
			engines, err := warehouse.PingNodes(ctx, tg.DSN, nodes)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, e := range engines {
					e.Close()
				}
			}()
			for i, e := range engines {
				dist, err := warehouse.Columns(ctx, e, tg.DB, tbl)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(dist, want) {
					t.Errorf("%s: Distributed %s columns differ from the single-node table:\n%v\nwant\n%v", nodes[i], tbl, dist, want)
				}
				if err := warehouse.CheckTable(ctx, e, tg.DB, tbl+table.LocalSuffix, want); err != nil {
					t.Errorf("%s: %v", nodes[i], err)
				}
				if err := e.Query(ctx, "SELECT count() FROM "+warehouse.QuoteIdent(tg.DB)+"."+warehouse.QuoteIdent(tbl+"_current"),
					func(src []byte) (int, error) { return len(src), nil }); err != nil {
					t.Errorf("%s: current view: %v", nodes[i], err)
				}
			}
		})
	}
}
