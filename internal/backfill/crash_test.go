package backfill_test

import (
	"context"
	"errors"
	"testing"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// crashingEngine fails the Insert that fail selects, as a crash between
// two writes would leave things.
type crashingEngine struct {
	warehouse.Engine
	inserts int
	fail    func(n int, tbl string) bool
}

var errCrash = errors.New("simulated crash")

func (c *crashingEngine) Insert(ctx context.Context, db, tbl string, columns []string, rows warehouse.Rows) error {
	c.inserts++
	if c.fail(c.inserts, tbl) {
		return errCrash
	}
	return c.Engine.Insert(ctx, db, tbl, columns, rows)
}

func TestCrashThenRerun(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(21, 200)
		client := fakeClient(t, store)
		db := wt.Database(t)
		ctx := context.Background()
		tbl := wt.Tickets()
		opts := backfill.Options{Database: db, Tenant: db, PageSize: 50, BatchRows: 25, RejectDir: t.TempDir()}
		full := opts
		full.Full = true
		load := func(e warehouse.Engine, o backfill.Options) backfill.Stats {
			t.Helper()
			st, err := backfill.Load(ctx, tbl, e, client, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		crash := func(o backfill.Options, fail func(n int, tbl string) bool) {
			t.Helper()
			if _, err := backfill.Load(ctx, tbl, &crashingEngine{Engine: tg.Engine, fail: fail}, client, o, nil); !errors.Is(err, errCrash) {
				t.Fatalf("crashing run: err = %v, want the simulated crash", err)
			}
		}
		load(tg.Engine, opts)
		rep := store.Mutate(3, 40, 10, 30)

		// A crash in the middle of the data inserts leaves one current
		// version per key.
		crash(full, func(n int, _ string) bool { return n == 3 })
		checkInvariants(t, allVersions(t, tg, db), nil)

		// The rerun completes the data and crashes recording the run.
		crash(full, func(_ int, tbl string) bool { return tbl == warehouse.RunsTable })
		v := allVersions(t, tg, db)
		checkInvariants(t, v, set(rep.Deleted))
		for _, tk := range store.TicketValues() {
			vs := v[int64(tk.ID)]
			if cur := vs[len(vs)-1]; !cur.IsCurrent || cur.Summary != tk.Summary || !cur.LastUpdated.Equal(tk.Info.LastUpdated.Time) {
				t.Errorf("ticket %d: current version %+v does not match the source", tk.ID, cur)
			}
		}
		for _, id := range rep.Changed {
			if n := len(v[int64(id)]); n != 2 {
				t.Errorf("changed ticket %d has %d versions, want 2 (nothing written twice, nothing lost)", id, n)
			}
		}

		// The cursor did not move, so an incremental run re-reads the
		// mutated records and finds them written; a full run agrees.
		st := load(tg.Engine, opts)
		if st.Mode != backfill.ModeIncremental || st.RecordsRead != int64(len(rep.Changed)+len(rep.Added)) || st.RowsWritten != 0 {
			t.Errorf("incremental rerun: mode %s, read %d, wrote %d; want incremental, %d, 0", st.Mode, st.RecordsRead, st.RowsWritten, len(rep.Changed)+len(rep.Added))
		}
		st = load(tg.Engine, full)
		if st.RowsWritten != 0 || st.Closed != 0 {
			t.Errorf("full rerun wrote %d rows, closed %d; want 0, 0", st.RowsWritten, st.Closed)
		}
	})
}

// ddlCrashEngine dies right after it creates a table, before anything
// else is written: the moment at which a kill once left a new table
// without its migration records, which every rerun then refused as having
// pending migrations.
type ddlCrashEngine struct{ warehouse.Engine }

func (c *ddlCrashEngine) ApplyDDL(ctx context.Context, db, ddl string) error {
	if err := c.Engine.ApplyDDL(ctx, db, ddl); err != nil {
		return err
	}
	return errCrash
}

func TestKilledRightAfterCreatingTheTable(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		tbl := &tickets.Table // generated, with a migration after its first
		if len(tbl.Migrations) < 2 {
			t.Fatalf("the tickets table has %d migrations; the test needs one after the first", len(tbl.Migrations))
		}
		store := cwfake.NewStore(22, 60)
		client := fakeClient(t, store)
		db := wt.Database(t)
		ctx := context.Background()
		opts := backfill.Options{Database: db, Tenant: db, PageSize: 50, BatchRows: 25, RejectDir: t.TempDir()}
		if _, err := backfill.Load(ctx, tbl, &ddlCrashEngine{tg.Engine}, client, opts, nil); !errors.Is(err, errCrash) {
			t.Fatalf("crashing run: err = %v, want the simulated crash", err)
		}
		if exists, err := warehouse.TableExists(ctx, tg.Engine, db, tbl.Name); err != nil || !exists {
			t.Fatalf("the crashing run did not create the table (%v, %v)", exists, err)
		}
		st, err := backfill.Load(ctx, tbl, tg.Engine, client, opts, nil)
		if err != nil {
			t.Fatalf("rerun after the crash: %v", err)
		}
		if st.RowsWritten != 60 || len(st.Migrations) != 0 {
			t.Errorf("rerun wrote %d rows and applied migrations %v, want 60 and none", st.RowsWritten, st.Migrations)
		}
	})
}
