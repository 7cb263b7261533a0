package backfill

import (
	"context"
	"fmt"
	"strings"

	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// prepare migrates an existing table (or refuses one that drifted or has
// pending migrations) and notes whether it holds any rows yet. A missing
// table is created as the sweep starts (prepareNew); a dry run creates
// nothing.
func (l *loader[R]) prepare(ctx context.Context) error {
	if l.opts.Cluster != nil {
		return l.prepareCluster(ctx)
	}
	exists, err := warehouse.TableExists(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		return err
	}
	switch {
	case !exists && l.opts.DryRun:
		l.emptyAtStart = true
		return nil
	case !exists:
		return l.prepareNew(ctx) // created while the sweep starts (setup.go)
	case l.opts.DryRun:
		if err := l.refusePending(ctx); err != nil {
			return err
		}
		if err := warehouse.CheckTable(ctx, l.eng, l.db, l.tbl.Name, l.tbl.Columns); err != nil {
			return err
		}
	default:
		if err := l.ensureTable(ctx, l.eng, l.migrate); err != nil {
			return err
		}
	}
	return l.readState(ctx, true)
}

// ensureTable runs on eng the statements that ready the table for a load:
// the database and the state tables, schema (migrating an existing table,
// or recording the baseline of a new one before it is created: see
// migrateOrBaseline), the table's DDL and its check, and the table a
// --full or --deletes sweep records its keys in.
func (l *loader[R]) ensureTable(ctx context.Context, eng warehouse.Engine, schema func(context.Context) error) error {
	if err := warehouse.EnsureDatabase(ctx, eng, l.db); err != nil {
		return err
	}
	if err := warehouse.EnsureRunsTable(ctx, eng, l.db); err != nil {
		return err
	}
	if err := warehouse.EnsureEvolutionTables(ctx, eng, l.db); err != nil {
		return err
	}
	if err := schema(ctx); err != nil {
		return err
	}
	if err := eng.ApplyDDL(ctx, l.db, l.tbl.DDL); err != nil {
		return err
	}
	if err := warehouse.CheckTable(ctx, eng, l.db, l.tbl.Name, l.tbl.Columns); err != nil {
		return err
	}
	if l.opts.Full || l.opts.Deletes {
		return warehouse.EnsureSweepKeysTable(ctx, eng, l.db)
	}
	return nil
}

// readState finishes preparing a table that passed its checks: whether it
// was empty when the run began (a table just created was), and its
// recorded hash definition.
func (l *loader[R]) readState(ctx context.Context, exists bool) error {
	if !exists {
		l.emptyAtStart = true
	} else {
		var err error
		if l.emptyAtStart, err = warehouse.TableEmpty(ctx, l.eng, l.db, l.tbl.Name); err != nil {
			return err
		}
	}
	return l.hashDefinition(ctx)
}

// migrateOrBaseline migrates a table that exists; for one about to be
// created from the current DDL, it records every migration as applied
// first: a run killed between the two then leaves records without a table
// (the rerun creates it and records them again, which changes nothing),
// never a new table that looks like it predates every migration but the
// first, which the rerun would refuse as having pending ones.
func (l *loader[R]) migrateOrBaseline(ctx context.Context, exists bool) error {
	if exists {
		return l.migrate(ctx)
	}
	return l.recordBaseline(ctx, l.eng)
}

// recordBaseline records on eng every migration as applied to a table
// created from the current DDL.
func (l *loader[R]) recordBaseline(ctx context.Context, eng warehouse.Engine) error {
	names := make([]string, len(l.tbl.Migrations))
	for i, m := range l.tbl.Migrations {
		names[i] = m.Name
	}
	return warehouse.RecordMigrations(ctx, eng, l.db, l.tbl.Name, "baseline", names, l.opts.Now().UTC())
}

// refusePending fails a dry run over a table with pending migrations.
func (l *loader[R]) refusePending(ctx context.Context) error {
	pending, err := l.pendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("%s.%s has %d pending migration(s): %s; a dry run cannot apply them: run with --migrate", l.db, l.tbl.Name, len(pending), migrationNames(pending))
	}
	return nil
}

// pendingMigrations lists the table's migrations not recorded as applied.
// A table with no record at all predates migration tracking: it is taken
// to be at migration 0001 (the table as first generated).
func (l *loader[R]) pendingMigrations(ctx context.Context) ([]table.Migration, error) {
	applied, err := warehouse.AppliedMigrations(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		if !l.opts.DryRun {
			return nil, err
		}
		applied = map[string]bool{} // no state table yet
	}
	return pending(l.tbl.Migrations, applied), nil
}

// pending lists the migrations not in applied; with nothing applied at all,
// the first (the table as first generated) counts as applied.
func pending(migrations []table.Migration, applied map[string]bool) []table.Migration {
	var out []table.Migration
	for i, m := range migrations {
		if applied[m.Name] || (i == 0 && len(applied) == 0) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// migrate applies pending migrations when --migrate says so, or refuses
// naming them.
func (l *loader[R]) migrate(ctx context.Context) error {
	applied, err := warehouse.AppliedMigrations(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		return err
	}
	pending := pending(l.tbl.Migrations, applied)
	if len(applied) == 0 && len(l.tbl.Migrations) > 0 {
		if err := warehouse.RecordMigrations(ctx, l.eng, l.db, l.tbl.Name, "baseline", []string{l.tbl.Migrations[0].Name}, l.opts.Now().UTC()); err != nil {
			return err
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if !l.opts.Migrate {
		return fmt.Errorf("%s.%s has %d pending migration(s): %s; review them in generated/%s/%s/migrations and rerun with --migrate",
			l.db, l.tbl.Name, len(pending), migrationNames(pending), l.tbl.Service, l.tbl.Name)
	}
	for _, m := range pending {
		if err := l.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s on %s.%s: %w (earlier statements of it may have run; fix and rerun)", m.Name, l.db, l.tbl.Name, err)
		}
		if err := warehouse.RecordMigrations(ctx, l.eng, l.db, l.tbl.Name, "applied", []string{m.Name}, l.opts.Now().UTC()); err != nil {
			return err
		}
		l.stats.Migrations = append(l.stats.Migrations, m.Name)
	}
	return nil
}

// applyMigration runs one migration: as generated on one server, or
// rewritten for the cluster.
func (l *loader[R]) applyMigration(ctx context.Context, m table.Migration) error {
	if l.opts.Cluster == nil {
		return l.eng.ApplyDDL(ctx, l.db, m.SQL)
	}
	stmts, err := warehouse.ClusterMigration(m.SQL, l.opts.Cluster.Cluster, l.db, l.tbl.Name, l.tbl.CurrentView)
	if err != nil {
		return err
	}
	return warehouse.RunClusterStatements(ctx, l.eng, l.nodes.nodes, l.nodes.engines, stmts)
}

func migrationNames(ms []table.Migration) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// hashDefinition compares the recorded hash definition with the table's:
// when they differ, this run re-baselines (reads every record and rewrites
// current versions whose only difference is the definition).
func (l *loader[R]) hashDefinition(ctx context.Context) error {
	def, cols, ok, err := warehouse.LastHashDefinition(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		if l.opts.DryRun {
			return nil
		}
		return err
	}
	switch {
	case !ok:
		// A new table, or one loaded before definitions were recorded: its
		// versions carry this binary's definition.
		l.recordDef = true
	case def != l.tbl.HashDefinition:
		l.prevHashColumns = map[string]bool{}
		for _, c := range cols {
			l.prevHashColumns[c] = true
		}
		l.recordDef = true
	}
	return nil
}
