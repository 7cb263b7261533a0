package backfill

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// ChildSource is a Source that can read one record of a child list
// endpoint (connectwise.Client is one). A table with child columns
// (table.Table.Children, such as tickets.description from the ticket's
// notes) needs it.
type ChildSource interface {
	FirstChild(ctx context.Context, template string, parentID int64, q connectwise.Query) ([]byte, error)
}

// childParallel is how many child requests are in flight at once. The
// client's request budget (--rpm) paces them with the sweep's own pages.
const childParallel = 8

// needsChild decides whether a record's child columns are requested:
// always on a sweep that must see children change on their own (--full,
// re-baselining), for a new key, and for a key whose own columns changed.
// A key whose own columns are unchanged keeps its stored child values.
// ownUnchanged means: with the stored version's child values, the record
// hashes as the stored version.
func needsChild(everyRecord, exists, ownUnchanged bool) bool {
	return everyRecord || !exists || !ownUnchanged
}

// resolveChildren fills the child columns of the waiting batch before it
// is planned (cur holds the batch's current versions). The record hash
// covers the child values, so "did the record's own columns change?" is
// answered by copying the stored current version's child values into the
// record and comparing hashes: equal means nothing of the record itself
// changed, and its children are not requested (a child edited without its
// parent changing is seen by the next --full). Otherwise the children are
// requested, in parallel, and set. A record whose child request fails
// after the client's retries, or whose child does not convert, is rejected
// (counted, in the rejects file) and leaves the batch; the run goes on.
func (l *loader[R]) resolveChildren(ctx context.Context, cur map[int64]scd.Current) error {
	b := &l.batch
	if len(l.tbl.Children) == 0 || len(b.entries) == 0 {
		return nil
	}
	cs, ok := l.src.(ChildSource)
	if !ok {
		return fmt.Errorf("table %s reads child endpoints (%s), which this source cannot fetch", l.tbl.Name, l.tbl.Children[0].Endpoint)
	}
	var keys []int64
	for i := range b.entries {
		if c := currentOf(cur, b.entries[i].key); c != nil {
			keys = append(keys, b.entries[i].key)
		}
	}
	stored, err := l.currentRows(ctx, keys, cur)
	if err != nil {
		return err
	}
	everyRecord := l.opts.Full || l.stats.Mode == ModeRebaseline
	var fetch []int
	for i := range b.entries {
		e := &b.entries[i]
		s, exists := stored[e.key]
		if exists {
			for _, ch := range l.tbl.Children {
				ch.Copy(&e.row, &s)
			}
			l.tbl.Rehash(&e.row)
			if l.prevHashColumns != nil {
				// Re-baselining compares with the stored version as the
				// previous definition hashed it: its child values, not the
				// ones requested below (a column that just got a child source
				// was NULL then).
				e.prevHash, e.hasPrevHash = scd.ParseHash(l.tbl.HashSubset(&e.row, l.prevHashColumns)), true
			}
		}
		own := exists && scd.ParseHash(l.tbl.SCD(&e.row).RecordHash) == cur[e.key].Hash
		if needsChild(everyRecord, exists, own) {
			fetch = append(fetch, i)
		}
	}
	failed, err := l.fetchChildren(ctx, cs, fetch)
	if err != nil {
		return err
	}
	if len(failed) == 0 {
		return nil
	}
	kept := b.entries[:0]
	clear(b.index)
	for i := range b.entries {
		e := b.entries[i]
		if fe := failed[i]; fe != nil {
			if err := l.reject([]byte(`{"`+l.tbl.SourceKeyField+`":`+strconv.FormatInt(e.key, 10)+`}`), fe); err != nil {
				return err
			}
			continue
		}
		b.index[e.key] = len(kept)
		kept = append(kept, e)
	}
	b.entries = kept
	return nil
}

// currentRows reads the stored current version of keys (the one cur
// names; nothing on a dry run of a table empty at the start).
func (l *loader[R]) currentRows(ctx context.Context, keys []int64, cur map[int64]scd.Current) (map[int64]R, error) {
	out := make(map[int64]R, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if l.writer.overlaps(keys) {
		if err := l.wait(); err != nil {
			return nil, err
		}
	}
	err := warehouse.FetchRows(ctx, l.eng, l.db, l.tbl, keys, func(row *R) error {
		k := l.tbl.Key(row)
		if l.tbl.SCD(row).EffectiveStartDate.Unix() == cur[k].Start {
			out[k] = *row
		}
		return nil
	})
	return out, err
}

// fetchChildren requests the children of the batch entries at idx, up
// to childParallel at a time, sets them and rehashes the rows. It returns
// the per-entry failure (a reject), or an error that ends the run (the
// run's context ended).
func (l *loader[R]) fetchChildren(ctx context.Context, cs ChildSource, idx []int) (map[int]*table.FieldError, error) {
	failed := map[int]*table.FieldError{}
	if len(idx) == 0 {
		return failed, nil
	}
	var mu sync.Mutex
	var requests atomic.Int64
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(childParallel, len(idx)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if fe := l.fetchChild(ctx, cs, &l.batch.entries[i].row, &requests); fe != nil {
					mu.Lock()
					failed[i] = fe
					mu.Unlock()
				}
			}
		}()
	}
	for _, i := range idx {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	l.stats.ChildRequests += requests.Load()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return failed, nil
}

// fetchChild requests and sets every child column of row, then rehashes it.
func (l *loader[R]) fetchChild(ctx context.Context, cs ChildSource, row *R, requests *atomic.Int64) *table.FieldError {
	key := l.tbl.Key(row)
	for _, ch := range l.tbl.Children {
		q := connectwise.Query{Conditions: ch.Conditions, OrderBy: ch.OrderBy}
		if !l.opts.AllFields {
			q.Fields = ch.Fields
		}
		requests.Add(1)
		rec, err := cs.FirstChild(ctx, ch.Endpoint, key, q)
		if err == nil {
			err = ch.Set(row, rec)
		}
		if err != nil {
			var fe *table.FieldError
			if errors.As(err, &fe) {
				return fe
			}
			return &table.FieldError{RecordID: strconv.FormatInt(key, 10), Column: ch.Column, Path: ch.Endpoint, Err: err}
		}
	}
	l.tbl.Rehash(row)
	return nil
}
