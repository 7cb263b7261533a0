package backfill

import (
	"context"
	"slices"
	"time"

	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// A --full sweep closes the current version of every key it did not
// return. The keys it saw are recorded per batch in the tenant's
// warehouse.SweepKeysTable, and the keys to close are an anti-join of the
// table's current keys against them, read in chunks: no per-key state in
// the loader. A dry run writes nothing, so it keeps the keys it saw in
// memory instead. Before closing anything the sweep must show it saw the
// whole source (closeVerdict in evidence.go); otherwise the run fails with
// a *CloseRefusedError and closes nothing.

// sweptKeys holds a dry run's seen keys.
type sweptKeys struct {
	dry map[int64]struct{}
}

// sweptKeys returns the keys the batch adds to this run's --full sweep
// (rejected keys too: the source still has them), nil when the run does
// not close keys. A dry run keeps them in memory.
func (l *loader[R]) sweptKeys() []int64 {
	if !l.opts.Full && !l.opts.Deletes {
		return nil
	}
	b := &l.batch
	keys := slices.Clone(b.swept)
	for i := range b.entries {
		keys = append(keys, b.entries[i].key)
	}
	if l.opts.DryRun {
		if l.swept.dry == nil {
			l.swept.dry = make(map[int64]struct{})
		}
		for _, k := range keys {
			l.swept.dry[k] = struct{}{}
		}
		return nil
	}
	return keys
}

// recordSwept records keys as seen by this run's sweep.
func (l *loader[R]) recordSwept(ctx context.Context, keys []int64) error {
	return warehouse.RecordSweepKeys(ctx, l.eng, l.db, l.tbl.Name, l.stats.RunID, keys)
}

// closeMissing closes, after a complete full sweep, the current version of
// every key the sweep did not return, at the run's start.
func (l *loader[R]) closeMissing(ctx context.Context) error {
	if err := l.flushRejectKeys(ctx); err != nil {
		return err
	}
	if l.opts.DryRun {
		return l.countMissing(ctx)
	}
	missing, current, err := warehouse.CountMissingKeys(ctx, l.eng, l.db, l.tbl.Name, l.tbl.KeyColumn, l.stats.RunID, l.opts.Cluster != nil)
	if err != nil {
		return err
	}
	if err := l.checkEvidence(missing, current); err != nil {
		// The keys this run recorded stay, as after any failure: a run
		// resumed from a checkpoint under this run id needs them.
		return err
	}
	err = warehouse.MissingKeys(ctx, l.eng, l.db, l.tbl.Name, l.tbl.KeyColumn, l.stats.RunID, l.opts.BatchRows, l.opts.Cluster != nil, func(keys []int64) error {
		for _, k := range keys {
			l.sample("closed", k)
		}
		now := l.opts.Now().UTC().Truncate(time.Second).Unix()
		var out []R
		closed := map[int64]bool{}
		err := warehouse.FetchRows(ctx, l.eng, l.db, l.tbl, keys, func(row *R) error {
			closed[l.tbl.Key(row)] = true
			s := l.tbl.SCD(row)
			applySCD(s, scd.Close(storedOf(s), l.runStart.Unix(), now))
			out = append(out, *row)
			return nil
		})
		if err != nil {
			return err
		}
		if err := warehouse.Insert(ctx, l.eng, l.db, l.tbl, out); err != nil {
			return err
		}
		l.stats.RowsWritten += int64(len(out))
		l.stats.Closed += int64(len(closed))
		if l.obs != nil {
			l.obs.Batch(&l.stats)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return warehouse.DropSweepKeys(ctx, l.eng, l.db, l.stats.RunID)
}

// checkEvidence refuses, with a *CloseRefusedError, to close toClose of
// current keys unless the sweep showed it saw the whole source.
func (l *loader[R]) checkEvidence(toClose, current int64) error {
	e := l.evidence
	e.ToClose, e.Current = toClose, current
	if ok, reason := closeVerdict(e); !ok {
		return &CloseRefusedError{Reason: reason}
	}
	return nil
}

// flushRejectKeys records the keys of rejects read after the last batch.
func (l *loader[R]) flushRejectKeys(ctx context.Context) error {
	keys := l.sweptKeys()
	l.batch.reset()
	if len(keys) == 0 {
		return nil
	}
	return l.recordSwept(ctx, keys)
}

// countMissing counts (and samples) what a dry run would close.
func (l *loader[R]) countMissing(ctx context.Context) error {
	if l.emptyAtStart {
		return nil
	}
	var missing []int64
	var current int64
	err := warehouse.CurrentKeys(ctx, l.eng, l.db, l.tbl.Name, l.tbl.KeyColumn, func(key int64) {
		current++
		if _, seen := l.swept.dry[key]; !seen {
			missing = append(missing, key)
		}
	})
	if err != nil {
		return err
	}
	if err := l.checkEvidence(int64(len(missing)), current); err != nil {
		return err
	}
	slices.Sort(missing)
	for _, k := range missing {
		l.sample("closed", k)
	}
	l.stats.Closed = int64(len(missing))
	return nil
}
