package warehouse_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestHashDefinitionsInOneSecond: of definitions recorded within one
// second (recorded_at has second resolution), the last recorded is the
// latest; a definition recorded at an earlier clock does not go back.
func TestHashDefinitionsInOneSecond(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		ctx := context.Background()
		db := wt.Database(t)
		if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
			t.Fatal(err)
		}
		if err := warehouse.EnsureEvolutionTables(ctx, tg.Engine, db); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
		steps := []struct {
			def string
			at  time.Time
		}{{"v1", at}, {"v2", at.Add(100 * time.Millisecond)}, {"v3", at.Add(200 * time.Millisecond)}, {"v4", at.Add(-time.Hour)}}
		for _, s := range steps {
			if err := warehouse.RecordHashDefinition(ctx, tg.Engine, db, "tickets", s.def, []string{"id", s.def}, s.at); err != nil {
				t.Fatal(err)
			}
			def, cols, ok, err := warehouse.LastHashDefinition(ctx, tg.Engine, db, "tickets")
			if err != nil || !ok || def != s.def || !slices.Equal(cols, []string{"id", s.def}) {
				t.Fatalf("after recording %s: latest %q %v (ok %v, err %v)", s.def, def, cols, ok, err)
			}
		}
		if def, _, _, err := warehouse.LastHashDefinition(ctx, tg.Engine, db, "companies"); err != nil || def != "" {
			t.Errorf("companies: %q, %v", def, err)
		}
	})
}
