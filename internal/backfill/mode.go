package backfill

import (
	"context"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// cursorMargin is subtracted from the run start to bound the cursor a run
// records: a record updated while the sweep runs may sort before the
// sweep's position (forward-only paging walks ids) yet carry an earlier
// lastUpdated than the latest one seen, and the source's clock may run
// ahead of ours. The next run re-reads that window; unchanged records cost
// no writes.
const cursorMargin = 10 * time.Minute

// condition reads the last run's cursor, picks the mode and builds the
// source condition.
func (l *loader[R]) condition(ctx context.Context) (string, error) {
	if l.tbl.CursorField != "" {
		prev, _, err := warehouse.LastCursor(ctx, l.eng, l.db, l.tbl.Name)
		if err != nil {
			return "", err
		}
		l.prev = prev
	}
	var from time.Time
	switch {
	case l.opts.Deletes:
		l.stats.Mode = ModeDeletes
		return "", nil
	case l.opts.Full:
		l.stats.Mode = ModeFull
	case l.prevHashColumns != nil && l.opts.Since.IsZero():
		l.stats.Mode = ModeRebaseline
	case !l.opts.Since.IsZero():
		l.stats.Mode, from = ModeSince, l.opts.Since
	case l.prev.IsZero():
		l.stats.Mode = ModeInitial
	default:
		l.stats.Mode, from = ModeIncremental, l.prev
	}
	l.stats.From = from
	if from.IsZero() {
		return "", nil
	}
	return connectwise.Time(l.tbl.CursorField, connectwise.Gt, from).Build()
}

// nextCursor is the cursor the run records: the latest version seen,
// bounded by the run start less cursorMargin, when the run covered every
// record updated since the previous cursor; the previous cursor otherwise
// (a --limit run, a --since run starting after it, a run with rejects,
// which are then read again next time).
func (l *loader[R]) nextCursor() time.Time {
	if l.tbl.CursorField == "" || l.tbl.CursorColumn != l.tbl.VersionColumn {
		return time.Time{} // the cursor value of a row is not known
	}
	if l.opts.Deletes {
		return l.prev // an ids-only sweep reads no record's cursor value
	}
	covered := !l.limited && l.stats.Rejected+l.priorRejected() == 0
	if l.stats.Mode == ModeSince && (l.prev.IsZero() || l.opts.Since.After(l.prev)) {
		covered = false // records between the previous cursor and --since were not read
	}
	if !covered || l.maxSeen.IsZero() {
		return l.prev
	}
	return minTime(l.maxSeen, l.runStart.Add(-cursorMargin)).UTC()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
