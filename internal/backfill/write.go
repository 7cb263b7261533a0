package backfill

import (
	"context"
	"database/sql"
	"time"

	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// writer runs one INSERT at a time in the background, so the engine
// inserts a batch while the loader reads and maps the next: both cores
// work. Each INSERT is one part of its own, so crash safety does not
// depend on it; the run is recorded only after the last one succeeded.
type writer[R any] struct {
	eng warehouse.Engine
	db  string
	tbl *table.Table[R]

	inflight chan error // the result of the INSERT running, nil when none
	rows     int64      // its rows
	lo, hi   int64      // the range of its keys
	// took is how long the last INSERT took (read after wait).
	took time.Duration

	// streaming says to append batches to one INSERT (see useStream);
	// stream is the open one, nil until the first batch and after commit.
	streaming bool
	stream    warehouse.InsertStream
}

// useStream reports whether a load appends its batches to one INSERT
// (when the engine can, see warehouse.Streamer) instead of an INSERT a
// batch: a first load into an empty table, which reads nothing back while
// it sweeps but a key the source repeats (that commits the stream and
// ends streaming, see currentVersions). Not on a cluster,
// not for a sweep with a deadline, whose last commit would not be
// budgeted, and not with --full or --deletes, which read the table at
// their end.
func (l *loader[R]) useStream() bool {
	_, can := l.eng.(warehouse.Streamer)
	return can && l.emptyAtStart && l.opts.Cluster == nil && l.opts.Deadline.IsZero() &&
		!l.opts.DryRun && !l.opts.Full && !l.opts.Deletes
}

// insert writes rows: appended to the stream (opened on first use), or
// as one INSERT.
func (w *writer[R]) insert(ctx context.Context, rows []R) error {
	if !w.streaming {
		return warehouse.Insert(ctx, w.eng, w.db, w.tbl, rows)
	}
	if w.stream == nil {
		s, _, err := warehouse.BeginInsert(ctx, w.eng, w.db, w.tbl)
		if err != nil {
			return err
		}
		w.stream = s
	}
	return warehouse.WriteRows(ctx, w.stream, w.tbl, rows)
}

// commit commits the open stream, if any; the caller has waited for the
// INSERT in flight.
func (w *writer[R]) commit() error {
	if w.stream == nil {
		return nil
	}
	err := w.stream.Commit()
	w.stream = nil
	return err
}

// abort drops the open stream, if any, after a failure.
func (w *writer[R]) abort() {
	if w.stream != nil {
		w.stream.Abort()
		w.stream = nil
	}
}

// commitStream waits for the INSERT in flight and commits the open
// stream, so that queries see every row this run wrote.
func (l *loader[R]) commitStream() error {
	if err := l.wait(); err != nil {
		return err
	}
	return l.writer.commit()
}

// start runs job in the background: it inserts rows rows whose keys lie
// in [lo, hi]. The caller has waited for the previous job.
func (w *writer[R]) start(job func() error, rows int64, lo, hi int64) {
	done := make(chan error, 1)
	go func() {
		start := time.Now()
		err := job()
		w.took = time.Since(start)
		done <- err
	}()
	w.inflight, w.rows, w.lo, w.hi = done, rows, lo, hi
}

// wait waits for the INSERT in flight, if any, and returns the rows it
// wrote.
func (w *writer[R]) wait() (int64, error) {
	if w.inflight == nil {
		return 0, nil
	}
	err := <-w.inflight
	w.inflight = nil
	if err != nil {
		return 0, err
	}
	return w.rows, nil
}

// overlaps reports whether the INSERT in flight may hold a version of one
// of keys. Forward-only paging reads ascending ids, so a batch's keys lie
// above the previous batch's and the answer is almost always no.
func (w *writer[R]) overlaps(keys []int64) bool {
	if w.inflight == nil {
		return false
	}
	for _, k := range keys {
		if k >= w.lo && k <= w.hi {
			return true
		}
	}
	return false
}

// write inserts out, whose rows cuts splits by key, in INSERTs of at most
// --batch-rows rows that never split a key's rows (a changed key's closed
// and new versions commit together); swept are keys a --full sweep
// records after them.
func (l *loader[R]) write(ctx context.Context, out []R, cuts []int, swept []int64) error {
	if len(out) == 0 && len(swept) > 0 {
		if err := l.wait(); err != nil {
			return err
		}
		l.writer.start(func() error { return l.recordSwept(ctx, swept) }, 0, 1, 0)
	}
	from := 0
	for from < len(out) {
		to := from
		for _, c := range cuts {
			if c <= from {
				continue
			}
			if c-from > l.opts.BatchRows && to > from {
				break
			}
			to = c
		}
		if err := l.wait(); err != nil {
			return err
		}
		rows, last := out[from:to], to == len(out)
		lo, hi := keyRange(l.tbl, rows)
		l.writer.start(func() error {
			if err := l.writer.insert(ctx, rows); err != nil {
				return err
			}
			if last {
				return l.recordSwept(ctx, swept)
			}
			return nil
		}, int64(len(rows)), lo, hi)
		from = to
	}
	return nil
}

func keyRange[R any](tbl *table.Table[R], rows []R) (lo, hi int64) {
	for i := range rows {
		k := tbl.Key(&rows[i])
		if i == 0 || k < lo {
			lo = k
		}
		if i == 0 || k > hi {
			hi = k
		}
	}
	return lo, hi
}

// applySCD sets a row's SCD columns (but its record_hash) to c.
func applySCD(s *table.SCD, c scd.Columns) {
	s.EffectiveStartDate = time.Unix(c.Start, 0).UTC()
	s.EffectiveEndDate = sql.Null[time.Time]{}
	if c.HasEnd {
		s.EffectiveEndDate = sql.Null[time.Time]{V: time.Unix(c.End, 0).UTC(), Valid: true}
	}
	s.IsCurrent = c.IsCurrent
	s.CreatedAt = time.Unix(c.CreatedAt, 0).UTC()
	s.UpdatedAt = time.Unix(c.UpdatedAt, 0).UTC()
}

// storedOf is what the planner needs of a stored row.
func storedOf(s *table.SCD) scd.Stored {
	return scd.Stored{Start: s.EffectiveStartDate.Unix(), CreatedAt: s.CreatedAt.Unix(), UpdatedAt: s.UpdatedAt.Unix()}
}
