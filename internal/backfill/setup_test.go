package backfill_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// pageSignal closes first when the source delivers its first page.
type pageSignal struct {
	*connectwise.Client
	once  sync.Once
	first chan struct{}
}

func (s *pageSignal) Pages(ctx context.Context, ep string, q connectwise.Query, fn func(connectwise.Page) error) error {
	return s.Client.Pages(ctx, ep, q, func(p connectwise.Page) error {
		s.once.Do(func() { close(s.first) })
		return fn(p)
	})
}

// ddlAfterFirstPage creates the table only once the source has delivered
// a page: a loader that creates the table before reading the source
// waits for it in vain.
type ddlAfterFirstPage struct {
	warehouse.Engine
	first <-chan struct{}
}

func (e *ddlAfterFirstPage) ApplyDDL(ctx context.Context, db, ddl string) error {
	select {
	case <-e.first:
	case <-time.After(10 * time.Second):
		return errors.New("the source was not read while the table was being created")
	}
	return e.Engine.ApplyDDL(ctx, db, ddl)
}

// TestNewTableCreatedWhileTheSweepStarts: a first load reads the source
// while it creates the table, and writes the same rows.
func TestNewTableCreatedWhileTheSweepStarts(t *testing.T) {
	tg := wt.Embedded(t)
	store := cwfake.NewStore(23, 60)
	src := &pageSignal{Client: fakeClient(t, store), first: make(chan struct{})}
	db := wt.Database(t)
	opts := backfill.Options{Database: db, Tenant: db, PageSize: 25, BatchRows: 25, RejectDir: t.TempDir()}
	st, err := backfill.Load(context.Background(), &tickets.Table, &ddlAfterFirstPage{tg.Engine, src.first}, src, opts, nil)
	if err != nil || st.RowsWritten != 60 || st.NewKeys != 60 {
		t.Fatalf("load: %v, %d rows written, %d new; want 60 and 60", err, st.RowsWritten, st.NewKeys)
	}
	if n := countRows(t, tg, db); n != 60 {
		t.Errorf("the table holds %d rows, want 60", n)
	}
}

// failingSource fails every walk.
type failingSource struct{ backfill.Source }

var errSourceDown = errors.New("source down")

func (failingSource) Pages(context.Context, string, connectwise.Query, func(connectwise.Page) error) error {
	return errSourceDown
}

// countingEngine counts calls and fails ApplyDDL when fail is set.
type countingEngine struct {
	warehouse.Engine
	calls atomic.Int64
	fail  bool
}

func (e *countingEngine) Exec(ctx context.Context, q string) error {
	e.calls.Add(1)
	return e.Engine.Exec(ctx, q)
}

func (e *countingEngine) ApplyDDL(ctx context.Context, db, ddl string) error {
	e.calls.Add(1)
	time.Sleep(50 * time.Millisecond) // the source has failed by now
	if e.fail {
		return errCrash
	}
	return e.Engine.ApplyDDL(ctx, db, ddl)
}

func (e *countingEngine) Query(ctx context.Context, q string, fn func(src []byte) (int, error)) error {
	e.calls.Add(1)
	return e.Engine.Query(ctx, q, fn)
}

func (e *countingEngine) Insert(ctx context.Context, db, tbl string, columns []string, rows warehouse.Rows) error {
	e.calls.Add(1)
	return e.Engine.Insert(ctx, db, tbl, columns, rows)
}

// TestNewTableSetupEndsWithTheRun: when the sweep fails while the table
// is being created, Load still waits for the creation (nothing touches
// the engine after it returns), and a failure to create the table is the
// error reported, since it came first.
func TestNewTableSetupEndsWithTheRun(t *testing.T) {
	tg := wt.Embedded(t)
	store := cwfake.NewStore(24, 10)
	for _, failDDL := range []bool{false, true} {
		eng := &countingEngine{Engine: tg.Engine, fail: failDDL}
		db := wt.Database(t)
		opts := backfill.Options{Database: db, Tenant: db, PageSize: 25, BatchRows: 25, RejectDir: t.TempDir()}
		_, err := backfill.Load(context.Background(), &tickets.Table, eng, failingSource{fakeClient(t, store)}, opts, nil)
		want := errSourceDown
		if failDDL {
			want = errCrash
		}
		if !errors.Is(err, want) {
			t.Errorf("DDL fails %v: err = %v, want %v", failDDL, err, want)
		}
		calls := eng.calls.Load()
		time.Sleep(100 * time.Millisecond)
		if got := eng.calls.Load(); got != calls {
			t.Errorf("DDL fails %v: %d engine calls after Load returned", failDDL, got-calls)
		}
		exists, err := warehouse.TableExists(context.Background(), tg.Engine, db, tickets.Table.Name)
		if err != nil || exists == failDDL {
			t.Errorf("DDL fails %v: the table exists: %v (%v)", failDDL, exists, err)
		}
	}
}
