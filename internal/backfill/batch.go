package backfill

import (
	"context"
	"fmt"
	"time"

	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// entry is one source record waiting in a batch.
type entry[R any] struct {
	row        R
	key        int64
	version    int64 // VersionColumn, Unix seconds (when hasVersion)
	hasVersion bool
	// repeat is true when the key did not rise above the previous key of
	// its stream: forward-only paging returns ascending ids, so the key
	// may have come in an earlier batch of this run.
	repeat bool
	// prevHash, when hasPrevHash, is the record's hash under the previous
	// definition taken with its stored child values (see children.go).
	prevHash    scd.Hash
	hasPrevHash bool
}

// batch collects records until --batch-rows of them are waiting, or their
// source JSON adds up to --batch-bytes (wide records).
type batch[R any] struct {
	entries []entry[R]
	index   map[int64]int // key -> position in entries
	lastKey map[int]int64 // per stream, the last key read
	swept   []int64       // keys of this batch's rejects, for a --full sweep's record
	bytes   int           // source JSON bytes of the records read into this batch
	// outs are the rows to write, two buffers used in turn: the INSERT of
	// one batch runs while the next is planned, and write waits for it
	// before it starts the next, so a buffer is free again when its turn
	// comes. out is the one in use.
	outs [2][]R
	out  int
}

// outBuffer returns the other row buffer, empty, with room for n rows.
func (b *batch[R]) outBuffer(n int) []R {
	b.out ^= 1
	out := b.outs[b.out]
	clear(out[:cap(out)]) // drop the written rows' strings now
	if cap(out) < n {
		return make([]R, 0, n)
	}
	return out[:0]
}

func (b *batch[R]) init(rows int) {
	b.entries = make([]entry[R], 0, min(rows, 10_000))
	b.index = make(map[int64]int)
	b.lastKey = make(map[int]int64)
}

func (b *batch[R]) reset() {
	clear(b.entries) // drop the written rows' strings now, not when overwritten
	b.entries = b.entries[:0]
	b.bytes = 0
	clear(b.index)
	b.swept = b.swept[:0]
}

// add adds one decoded source record, read by stream, to the batch, or
// rejects it; a full batch is flushed.
func (l *loader[R]) add(ctx context.Context, stream int, d *decodedRecord[R]) error {
	l.utf8.add(d.invalidUTF8)
	if d.reject != nil {
		return l.reject(d.source, d.reject)
	}
	e := entry[R]{key: l.tbl.Key(&d.row)}
	if t, ok := l.tbl.Version(&d.row); ok {
		e.version, e.hasVersion = t.Unix(), true
		if t.After(l.maxSeen) {
			l.maxSeen = t
		}
		if e.version >= l.runStart.Unix() {
			l.evidence.ChangedDuring++ // changed while the sweep ran: /count may or may not include it
		}
	}
	b := &l.batch
	b.bytes += d.size
	if last, ok := b.lastKey[stream]; ok && e.key <= last {
		e.repeat = true
	} else {
		b.lastKey[stream] = e.key
	}
	if i, ok := b.index[e.key]; ok {
		// Several records of one key in a batch: the later version wins.
		l.stats.Duplicates++
		if scd.Supersedes(b.entries[i].version, e.version) {
			e.repeat = b.entries[i].repeat
			e.row = d.row
			b.entries[i] = e
		}
		return l.flushWhenFull(ctx)
	}
	b.index[e.key] = len(b.entries)
	e.row = d.row
	b.entries = append(b.entries, e)
	return l.flushWhenFull(ctx)
}

// flushWhenFull writes the batch once it holds --batch-rows records or
// --batch-bytes of source JSON.
func (l *loader[R]) flushWhenFull(ctx context.Context) error {
	if b := &l.batch; len(b.entries) >= l.opts.BatchRows || b.bytes >= l.opts.BatchBytes {
		return l.flush(ctx)
	}
	return nil
}

// flush plans and writes the waiting batch: it reads the current versions
// of the batch's keys, asks the planner what each record needs, reads the
// stored rows it closes, and starts the INSERT (the next batch is read
// while it runs).
func (l *loader[R]) flush(ctx context.Context) error {
	b := &l.batch
	if len(b.entries) == 0 {
		return nil
	}
	cur, err := l.currentVersions(ctx)
	if err != nil {
		return err
	}
	if err := l.resolveChildren(ctx, cur); err != nil {
		return err
	}
	now := l.opts.Now().UTC().Truncate(time.Second).Unix()
	runStart := l.runStart.Unix()
	plans := make([]scd.Plan, len(b.entries))
	skip := make([]bool, len(b.entries))
	var stored []int64 // keys whose stored rows are rewritten
	for i := range b.entries {
		e := &b.entries[i]
		c := currentOf(cur, e.key)
		rec := l.planInput(e)
		if e.repeat && c != nil && c.UpdatedAt >= runStart {
			// A key this run already wrote, read again.
			l.stats.Duplicates++
			if scd.StaleRepeat(c, rec, runStart) {
				skip[i] = true
				continue
			}
		}
		plans[i] = scd.PlanRecord(c, rec, runStart, now)
		if plans[i].CloseStored || (c != nil && c.Others > 0) {
			stored = append(stored, e.key)
		}
	}
	old, err := l.storedRows(ctx, stored)
	if err != nil {
		return err
	}
	out := b.outBuffer(len(b.entries))
	var cuts []int // out[cuts[i-1]:cuts[i]] holds one key's rows
	for i := range b.entries {
		if skip[i] {
			continue
		}
		e, p := &b.entries[i], plans[i]
		c := currentOf(cur, e.key)
		if c != nil && c.Others > 0 && !l.opts.DryRun {
			out = l.closeExtras(out, c, old[e.key], now)
		}
		switch p.Outcome {
		case scd.Unchanged:
			l.stats.Unchanged++
		case scd.Rebaseline:
			l.stats.Rebaselined++
		case scd.New:
			l.stats.NewKeys++
			l.sample("new", e.key)
		case scd.Changed:
			l.stats.Changed++
			l.sample("changed", e.key)
		}
		if p.CloseStored && !l.opts.DryRun {
			prev, ok := findVersion(l.tbl, old[e.key], c.Start)
			if !ok {
				return fmt.Errorf("key %d: its current version (start %s) is gone from %s.%s: another writer changed the table during the run; run again",
					e.key, time.Unix(c.Start, 0).UTC().Format(time.RFC3339), l.db, l.tbl.Name)
			}
			// The planner closed the version CurrentOf read; prev is the
			// same row (CurrentOf and FetchRows collapse versions alike).
			applySCD(l.tbl.SCD(&prev), p.Close)
			out = append(out, prev)
		}
		if p.WriteRecord {
			applySCD(l.tbl.SCD(&e.row), p.Open)
			out = append(out, e.row)
		}
		if len(cuts) == 0 || cuts[len(cuts)-1] != len(out) {
			cuts = append(cuts, len(out))
		}
	}
	b.outs[b.out] = out // keep what append grew
	swept := l.sweptKeys()
	if !l.opts.DryRun {
		if err := l.write(ctx, out, cuts, swept); err != nil {
			return err
		}
	}
	b.reset()
	if l.obs != nil && l.writer.inflight == nil {
		// Nothing to wait for (nothing written, or a dry run); a batch
		// with an INSERT is reported by wait once its rows are in.
		l.obs.Batch(&l.stats)
	}
	return nil
}

// currentVersions reads the current versions of the batch's keys. A table
// that was empty when the run began has none but for keys this run wrote
// and the source repeated.
func (l *loader[R]) currentVersions(ctx context.Context) (map[int64]scd.Current, error) {
	var keys []int64
	for i := range l.batch.entries {
		if e := &l.batch.entries[i]; !l.emptyAtStart || e.repeat {
			keys = append(keys, e.key)
		}
	}
	if len(keys) == 0 || (l.opts.DryRun && l.emptyAtStart) {
		return nil, nil
	}
	if l.writer.stream != nil {
		// A repeated key: its row may be in the open stream. The rest of
		// the run inserts batch by batch, since a stream's blocks could
		// split a changed key's closed and new rows.
		if err := l.commitStream(); err != nil {
			return nil, err
		}
		l.writer.streaming = false
	}
	if l.writer.overlaps(keys) {
		// The INSERT in flight holds some of these keys' versions.
		if err := l.wait(); err != nil {
			return nil, err
		}
	}
	return warehouse.CurrentOf(ctx, l.eng, l.db, l.tbl.Name, l.tbl.KeyColumn, keys)
}

// storedRows reads the full current rows of keys (nothing on a dry run).
func (l *loader[R]) storedRows(ctx context.Context, keys []int64) (map[int64][]R, error) {
	old := map[int64][]R{}
	if len(keys) == 0 || l.opts.DryRun {
		return old, nil
	}
	if l.writer.stream != nil {
		if err := l.commitStream(); err != nil {
			return nil, err
		}
	}
	if l.writer.overlaps(keys) {
		if err := l.wait(); err != nil {
			return nil, err
		}
	}
	err := warehouse.FetchRows(ctx, l.eng, l.db, l.tbl, keys, func(row *R) error {
		k := l.tbl.Key(row)
		old[k] = append(old[k], *row)
		return nil
	})
	return old, err
}

// planInput is what the planner needs of a waiting record.
func (l *loader[R]) planInput(e *entry[R]) scd.Record {
	rec := scd.Record{Hash: scd.ParseHash(l.tbl.SCD(&e.row).RecordHash), Version: e.version, HasVersion: e.hasVersion}
	switch {
	case e.hasPrevHash:
		rec.PrevHash, rec.HasPrev = e.prevHash, true
	case l.prevHashColumns != nil:
		rec.PrevHash, rec.HasPrev = scd.ParseHash(l.tbl.HashSubset(&e.row, l.prevHashColumns)), true
	}
	return rec
}

// closeExtras appends the extra current versions of a key (an earlier
// writer left them beside the latest, c.Start) closed at c.Start.
func (l *loader[R]) closeExtras(out []R, c *scd.Current, rows []R, now int64) []R {
	for _, r := range rows {
		s := l.tbl.SCD(&r)
		cols, ok := scd.CloseExtra(storedOf(s), c.Start, now)
		if !ok {
			continue
		}
		applySCD(s, cols)
		out = append(out, r)
		l.stats.Repaired++
	}
	return out
}

func currentOf(cur map[int64]scd.Current, key int64) *scd.Current {
	c, ok := cur[key]
	if !ok {
		return nil
	}
	return &c
}

// findVersion returns the row of rows starting at start (Unix seconds).
func findVersion[R any](tbl *table.Table[R], rows []R, start int64) (R, bool) {
	for _, r := range rows {
		if tbl.SCD(&r).EffectiveStartDate.Unix() == start {
			return r, true
		}
	}
	var zero R
	return zero, false
}
