package backfill

import (
	"context"

	"github.com/canonic-data/canonic/internal/warehouse"
)

// A first load creates its table while the sweep starts. The statements
// that create a new table (the database, the state tables, the migration
// baseline, the table, each a few milliseconds of waiting on ClickHouse:
// about 70 ms on the embedded engine) run in the background while the
// source is counted and its first pages are fetched and decoded. Every
// engine call of the sweep waits for them (gatedEngine), so nothing reads or
// writes the table before it exists, and the statements run in the same
// order as before: only the source is read sooner.

// setup is the background creation of a new table.
type setup struct {
	done chan struct{}
	err  error // set before done is closed
}

// prepareNew prepares a table that does not exist yet (not on a dry run or
// a cluster): it reads what a dropped table may have left (its hash
// definition) and leaves the statements that create it to startSetup.
func (l *loader[R]) prepareNew(ctx context.Context) error {
	l.emptyAtStart = true
	recorded, err := warehouse.TableExists(ctx, l.eng, l.db, warehouse.HashDefinitionsTable)
	if err != nil {
		return err
	}
	if !recorded {
		l.recordDef = true
	} else if err := l.hashDefinition(ctx); err != nil {
		return err
	}
	l.createOnStart = true
	return nil
}

// createTable creates the database, the state tables and the table on eng,
// recording the migration baseline before the table.
func (l *loader[R]) createTable(ctx context.Context, eng warehouse.Engine) error {
	return l.ensureTable(ctx, eng, func(ctx context.Context) error { return l.recordBaseline(ctx, eng) })
}

// startSetup creates the table prepare left (createOnStart) in the
// background, and gates the loader's engine behind it.
func (l *loader[R]) startSetup(ctx context.Context) {
	if !l.createOnStart {
		return
	}
	s := &setup{done: make(chan struct{})}
	eng := l.eng
	go func() {
		defer close(s.done)
		s.err = l.createTable(ctx, eng)
	}()
	l.setup = s
	l.eng = gate(eng, s)
	l.writer.eng = l.eng
}

// waitSetup waits for the background setup, if any, and returns its error.
func (l *loader[R]) waitSetup() error {
	if l.setup == nil {
		return nil
	}
	<-l.setup.done
	return l.setup.err
}

// gate returns eng with every call waiting for s first (and failing with
// its error); it is a warehouse.Streamer when eng is one.
func gate(eng warehouse.Engine, s *setup) warehouse.Engine {
	g := &gatedEngine{Engine: eng, setup: s}
	if st, ok := eng.(warehouse.Streamer); ok {
		return &gatedStreamer{gatedEngine: g, streamer: st}
	}
	return g
}

type gatedEngine struct {
	warehouse.Engine
	setup *setup
}

func (g *gatedEngine) wait(ctx context.Context) error {
	select {
	case <-g.setup.done:
		return g.setup.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gatedEngine) Exec(ctx context.Context, q string) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.Engine.Exec(ctx, q)
}

func (g *gatedEngine) ApplyDDL(ctx context.Context, db, ddl string) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.Engine.ApplyDDL(ctx, db, ddl)
}

func (g *gatedEngine) Query(ctx context.Context, q string, fn func(src []byte) (int, error)) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.Engine.Query(ctx, q, fn)
}

func (g *gatedEngine) Insert(ctx context.Context, db, tbl string, columns []string, rows warehouse.Rows) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.Engine.Insert(ctx, db, tbl, columns, rows)
}

type gatedStreamer struct {
	*gatedEngine
	streamer warehouse.Streamer
}

func (g *gatedStreamer) BeginInsert(ctx context.Context, db, tbl string, columns []string) (warehouse.InsertStream, error) {
	if err := g.wait(ctx); err != nil {
		return nil, err
	}
	return g.streamer.BeginInsert(ctx, db, tbl, columns)
}
