package warehouse_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

// Record hashes as the mapper writes them: 64 hex digits.
var (
	hash1  = strings.Repeat("1a", 32)
	hash1b = strings.Repeat("1b", 32)
	hash2  = strings.Repeat("2c", 32)
)

// setup creates a fresh database with the test table in it.
func setup(t *testing.T, tg wt.Target) (context.Context, string) {
	t.Helper()
	ctx := context.Background()
	db := wt.Database(t)
	if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err != nil {
		t.Fatal(err)
	}
	if err := tg.Engine.ApplyDDL(ctx, db, wt.DDL); err != nil {
		t.Fatal(err)
	}
	return ctx, db
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func sampleRows() []wt.Row {
	start := ts("2024-01-02T03:04:05Z")
	return []wt.Row{
		{
			ID: 1, Summary: "full row: 'quotes', \\ and \x00 NUL",
			Status:      sql.Null[string]{V: "New", Valid: true},
			OwnerID:     sql.Null[int64]{V: 42, Valid: true},
			Severity:    sql.Null[int8]{V: 3, Valid: true},
			BudgetHours: sql.Null[decimal.Decimal]{V: decimal.RequireFromString("12.5"), Valid: true},
			ClosedDate:  sql.Null[time.Time]{V: ts("2024-02-01T00:00:00Z"), Valid: true},
			LastUpdated: start,
			SCD:         table.SCD{EffectiveStartDate: start, IsCurrent: true, CreatedAt: start, UpdatedAt: start, RecordHash: hash1},
		},
		{
			ID: 2, Summary: "all NULL", LastUpdated: start,
			SCD: table.SCD{EffectiveStartDate: start, IsCurrent: true, CreatedAt: start, UpdatedAt: start, RecordHash: hash2},
		},
	}
}

// equalRows compares rows, decimals by value.
func equalRows(a, b wt.Row) bool {
	if !a.BudgetHours.V.Equal(b.BudgetHours.V) || a.BudgetHours.Valid != b.BudgetHours.Valid {
		return false
	}
	a.BudgetHours, b.BudgetHours = sql.Null[decimal.Decimal]{}, sql.Null[decimal.Decimal]{}
	return reflect.DeepEqual(a, b)
}

func TestEngines(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		ctx, db := setup(t, tg)
		tbl := wt.Tickets()
		e := tg.Engine

		t.Run("columns match the DDL after normalising", func(t *testing.T) {
			live, err := warehouse.Columns(ctx, e, db, "tickets")
			if err != nil {
				t.Fatal(err)
			}
			if diff, _, ok := warehouse.CheckSchema(live, tbl.Columns); !ok {
				t.Fatalf("live table differs from the DDL:\n%s\nlive: %+v", diff, live)
			}
			if live[0].Comment != "ticket id" {
				t.Errorf("comment of id = %q", live[0].Comment)
			}
			if _, err := warehouse.Columns(ctx, e, db, "nope"); !errors.Is(err, warehouse.ErrNoTable) {
				t.Errorf("Columns(missing) = %v, want ErrNoTable", err)
			}
		})

		rows := sampleRows()
		if err := warehouse.Insert(ctx, e, db, tbl, rows); err != nil {
			t.Fatal(err)
		}

		t.Run("FetchRows round-trips every column", func(t *testing.T) {
			var got []wt.Row
			err := warehouse.FetchRows(ctx, e, db, tbl, []int64{2, 1, 99}, func(r *wt.Row) error {
				got = append(got, *r)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got, func(a, b wt.Row) int { return int(a.ID - b.ID) })
			if len(got) != 2 || !equalRows(got[0], rows[0]) || !equalRows(got[1], rows[1]) {
				t.Fatalf("FetchRows =\n%+v\nwant\n%+v", got, rows)
			}
		})

		t.Run("the view resolves to the tenant table", func(t *testing.T) {
			var n int64
			var r rowbinary.Reader
			err := e.Query(ctx, "SELECT toInt64(count()) FROM `"+db+"`.tickets_current", func(src []byte) (int, error) {
				r.Reset(src)
				n = r.Int64()
				return r.Offset(), r.Err()
			})
			if err != nil || n != 2 {
				t.Fatalf("count from the view = %d, %v; want 2", n, err)
			}
		})

		t.Run("Current sees a closed rewrite in an unmerged part", func(t *testing.T) {
			// With merges stopped the rewrite stays in its own part, so only
			// FINAL (applied before WHERE is_current) hides the old row.
			if err := e.Exec(ctx, "SYSTEM STOP MERGES `"+db+"`.tickets"); err != nil {
				t.Fatal(err)
			}
			defer e.Exec(ctx, "SYSTEM START MERGES `"+db+"`.tickets")
			closed := rows[0]
			closed.IsCurrent = false
			closed.EffectiveEndDate = sql.Null[time.Time]{V: ts("2024-03-01T00:00:00Z"), Valid: true}
			closed.UpdatedAt = closed.UpdatedAt.Add(time.Hour)
			next := rows[0]
			next.Summary = "v2"
			next.EffectiveStartDate = closed.EffectiveEndDate.V
			next.CreatedAt, next.UpdatedAt = closed.UpdatedAt, closed.UpdatedAt
			next.RecordHash = hash1b
			if err := warehouse.Insert(ctx, e, db, tbl, []wt.Row{closed, next}); err != nil {
				t.Fatal(err)
			}
			var parts int64
			var r rowbinary.Reader
			err := e.Query(ctx, "SELECT toInt64(count()) FROM system.parts WHERE active AND database = '"+db+"' AND table = 'tickets'", func(src []byte) (int, error) {
				r.Reset(src)
				parts = r.Int64()
				return r.Offset(), r.Err()
			})
			if err != nil || parts < 2 {
				t.Fatalf("%d active parts (%v), want the rewrite in a part of its own", parts, err)
			}
			cur, err := warehouse.CurrentOf(ctx, e, db, "tickets", "id", []int64{1, 2, 3})
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]scd.Current{
				1: {Start: next.EffectiveStartDate.Unix(), CreatedAt: next.CreatedAt.Unix(), UpdatedAt: next.UpdatedAt.Unix(), Hash: scd.ParseHash(hash1b)},
				2: {Start: rows[1].EffectiveStartDate.Unix(), CreatedAt: rows[1].CreatedAt.Unix(), UpdatedAt: rows[1].UpdatedAt.Unix(), Hash: scd.ParseHash(hash2)},
			}
			if !reflect.DeepEqual(cur, want) {
				t.Fatalf("Current = %+v, want %+v", cur, want)
			}
		})

		t.Run("runs state", func(t *testing.T) {
			if _, ok, err := warehouse.LastCursor(ctx, e, db, "tickets"); ok || err != nil {
				t.Fatalf("LastCursor before any run = %v, %v", ok, err)
			}
			if err := warehouse.EnsureRunsTable(ctx, e, db); err != nil {
				t.Fatal(err)
			}
			base := ts("2025-01-01T00:00:00Z")
			for i, c := range []time.Time{ts("2024-05-01T00:00:00Z"), ts("2024-06-01T00:00:00Z"), {}} {
				r := warehouse.Run{Table: "tickets", RunID: "r", StartedAt: base.Add(time.Duration(i) * time.Hour),
					FinishedAt: base.Add(time.Duration(i)*time.Hour + time.Minute), Mode: "full", Status: warehouse.RunSucceeded, Cursor: c, RecordsRead: 7}
				if err := warehouse.RecordRun(ctx, e, db, r); err != nil {
					t.Fatal(err)
				}
			}
			if err := warehouse.RecordRun(ctx, e, db, warehouse.Run{Table: "other", RunID: "x", StartedAt: base.Add(9 * time.Hour), FinishedAt: base.Add(9 * time.Hour), Cursor: ts("2030-01-01T00:00:00Z"), Status: warehouse.RunSucceeded}); err != nil {
				t.Fatal(err)
			}
			c, ok, err := warehouse.LastCursor(ctx, e, db, "tickets")
			if err != nil || !ok || !c.Equal(ts("2024-06-01T00:00:00Z")) {
				t.Fatalf("LastCursor = %v, %v, %v; want 2024-06-01 (the last run with a cursor, of this table)", c, ok, err)
			}
		})

		t.Run("drift after a hand-made change", func(t *testing.T) {
			if err := e.Exec(ctx, "ALTER TABLE `"+db+"`.tickets DROP COLUMN status"); err != nil {
				t.Fatal(err)
			}
			if err := e.Exec(ctx, "ALTER TABLE `"+db+"`.tickets MODIFY COLUMN owner_id Nullable(Int32)"); err != nil {
				t.Fatal(err)
			}
			err := warehouse.CheckTable(ctx, e, db, "tickets", tbl.Columns)
			var drift *warehouse.DriftError
			if !errors.As(err, &drift) {
				t.Fatalf("CheckTable = %v, want a DriftError", err)
			}
			rep := drift.Report()
			for _, want := range []string{
				"column status: missing (want Nullable(String) at position 3)",
				"column owner_id: type Nullable(Int32), want Nullable(Int64)",
				"ALTER TABLE `" + db + "`.`tickets` ADD COLUMN `status` Nullable(String) AFTER `summary`;",
				"ALTER TABLE `" + db + "`.`tickets` MODIFY COLUMN `owner_id` Nullable(Int64);",
			} {
				if !strings.Contains(rep, want) {
					t.Errorf("drift report lacks %q:\n%s", want, rep)
				}
			}
			// The statements it proposes fix the table.
			for _, a := range drift.Alters {
				if err := e.Exec(ctx, a); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			if err := warehouse.CheckTable(ctx, e, db, "tickets", tbl.Columns); err != nil {
				t.Fatalf("after the proposed ALTERs: %v", err)
			}
		})
	})
}

func TestServerErrorsHideThePassword(t *testing.T) {
	tg := wt.Server(t)
	dsn := tg.Server.DSNFor("loader", "wrong-Secret-9", "default")
	_, err := warehouse.OpenServer(context.Background(), dsn)
	if err == nil {
		t.Fatal("OpenServer with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), "wrong-Secret-9") || !strings.Contains(err.Error(), "xxxxx") {
		t.Fatalf("error = %q: want the DSN redacted", err)
	}
	_, err = warehouse.OpenServer(context.Background(), "clickhouse://u:Sekrit-7@127.0.0.1:notaport/x")
	if err == nil || strings.Contains(err.Error(), "Sekrit-7") {
		t.Fatalf("bad DSN error = %v", err)
	}
}

func TestHostileNamesAreRefused(t *testing.T) {
	tg := wt.Embedded(t)
	ctx := context.Background()
	for _, db := range []string{"x`; DROP DATABASE system; --", "system", "a.b"} {
		if err := warehouse.EnsureDatabase(ctx, tg.Engine, db); err == nil {
			t.Errorf("EnsureDatabase(%q) succeeded", db)
		}
		if err := tg.Engine.ApplyDDL(ctx, db, wt.DDL); err == nil {
			t.Errorf("ApplyDDL(%q) succeeded", db)
		}
	}
}
