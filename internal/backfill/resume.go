package backfill

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// A sweep walks the source in forward-only id order, so "every record up
// to id N is written" is a complete description of how far it got. A
// sweep cut short (a Lambda deadline, a signal) writes what it mapped and
// records that position as a checkpoint (warehouse.Checkpoint); the next
// run that would sweep in the same mode from the same lower bound goes on
// from there under the same run id and start, and only the run that
// completes the sweep closes missing keys and records the run.

// maxCheckpointAge bounds how old a checkpoint a run resumes: an abandoned
// run's sweep is stale (its keys were seen long ago, its start would date
// the closes), so past it a new run starts from the beginning.
const maxCheckpointAge = 24 * time.Hour

// errCut ends a sweep that stops early at a checkpoint.
var errCut = errors.New("the sweep stopped at a checkpoint")

// resumable reports whether this run can stop at a checkpoint: it writes
// (not a dry run), reads every record (no --limit) and walks one id order
// (a single stream).
func (l *loader[R]) resumable() bool {
	return !l.opts.DryRun && l.opts.Limit == 0 && l.stats.Streams <= 1
}

// resume adopts the open checkpoint of this table when it belongs to a run
// that swept in the same mode from the same lower bound, and returns cond
// narrowed to the records after its position.
func (l *loader[R]) resume(ctx context.Context, cond string) (string, error) {
	if !l.opts.Resume || l.opts.DryRun || l.opts.Limit > 0 {
		return cond, nil
	}
	cp, ok, err := warehouse.OpenCheckpoint(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil || !ok || cp.Mode != l.stats.Mode || !cp.From.Equal(l.stats.From) || l.opts.Now().Sub(cp.WrittenAt) > maxCheckpointAge {
		return cond, err
	}
	l.resumed = &cp
	l.stats.RunID, l.runStart = cp.RunID, cp.StartedAt
	l.stats.ResumedFrom = cp.LastID
	l.batch.lastKey[0] = cp.LastID
	l.noIDSeen = l.noIDSeen || cp.NoIDSeen
	if cp.MaxSeen.After(l.maxSeen) {
		l.maxSeen = cp.MaxSeen
	}
	after := connectwise.Int(l.tbl.SourceKeyField, connectwise.Gt, cp.LastID)
	if cond == "" {
		return after.Build()
	}
	return connectwise.And(connectwise.Raw(cond), after).Build()
}

// checkCut is asked after each page: errCut when the sweep must stop at a
// checkpoint (the deadline is near, or Stop was closed), an error when it
// was told to stop but cannot resume. After the last page (a short one)
// the sweep is done: it finishes rather than leave an empty chunk.
func (l *loader[R]) checkCut(lastPage bool) error {
	now := time.Now()
	if l.budget != nil {
		l.budget.pageArrived(now)
	}
	if lastPage {
		return nil
	}
	select {
	case <-l.opts.Stop:
		if !l.resumable() {
			return errors.New("interrupted; a --limit, --dry-run or --streams run cannot resume: run it again")
		}
		return errCut
	default:
	}
	if l.budget != nil && l.resumable() {
		if l.budget.stop(now) {
			return errCut
		}
		l.budget.armHardStop()
	}
	return nil
}

// saveCheckpoint records where the cut sweep stands, after its last
// INSERT landed. The keys a --full sweep saw so far stay recorded under
// the run id (close.go), so the chunk that completes the sweep closes by
// the whole sweep.
func (l *loader[R]) saveCheckpoint(ctx context.Context) error {
	if l.opts.Full || l.opts.Deletes {
		if err := l.flushRejectKeys(ctx); err != nil {
			return err
		}
	}
	if err := warehouse.EnsureCheckpointsTable(ctx, l.eng, l.db); err != nil {
		return err
	}
	cp := l.checkpoint(true)
	l.stats.Checkpoint = cp.LastID
	return warehouse.SaveCheckpoint(ctx, l.eng, l.db, cp)
}

// finishCheckpoint closes the checkpoint of a resumed run that completed.
func (l *loader[R]) finishCheckpoint(ctx context.Context) error {
	if l.resumed == nil {
		return nil
	}
	return warehouse.SaveCheckpoint(ctx, l.eng, l.db, l.checkpoint(false))
}

// checkpoint is this run's position with its totals over every chunk.
func (l *loader[R]) checkpoint(open bool) warehouse.Checkpoint {
	cp := warehouse.Checkpoint{
		Table: l.tbl.Name, RunID: l.stats.RunID, Open: open, Mode: l.stats.Mode, From: l.stats.From,
		StartedAt: l.runStart, LastID: l.batch.lastKey[0], MaxSeen: l.maxSeen, NoIDSeen: l.noIDSeen, WrittenAt: time.Now().UTC(),
	}
	if p := l.resumed; p != nil {
		cp.RecordsRead, cp.NewKeys, cp.Changed, cp.Unchanged = p.RecordsRead, p.NewKeys, p.Changed, p.Unchanged
		cp.Closed, cp.Rejected, cp.RowsWritten = p.Closed, p.Rejected, p.RowsWritten
	}
	s := l.stats
	cp.RecordsRead += uint64(s.RecordsRead)
	cp.NewKeys += uint64(s.NewKeys)
	cp.Changed += uint64(s.Changed)
	cp.Unchanged += uint64(s.Unchanged)
	cp.Closed += uint64(s.Closed)
	cp.Rejected += uint64(s.Rejected)
	cp.RowsWritten += uint64(s.RowsWritten)
	return cp
}

// priorRejected counts the records earlier chunks of this run rejected.
func (l *loader[R]) priorRejected() int64 {
	if l.resumed == nil {
		return 0
	}
	return int64(l.resumed.Rejected)
}

// describeCut says where a cut run stopped, for the CLI's one line.
func describeCut(s Stats) string {
	return fmt.Sprintf("run %s stopped after source id %d with everything up to it written; it is resumable: run the same command again",
		s.RunID, s.Checkpoint)
}
