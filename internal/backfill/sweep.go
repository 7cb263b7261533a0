package backfill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"golang.org/x/sync/semaphore"
)

// errLimit ends the sweep when --limit is reached.
var errLimit = errors.New("limit reached")

// sweep reads every page and feeds the records through the batches.
func (l *loader[R]) sweep(ctx context.Context, cond string) error {
	q := connectwise.Query{Conditions: cond, PageSize: l.opts.PageSize, ForwardOnly: true}
	if !l.opts.AllFields {
		q.Fields = l.tbl.SourceFields // the source sends only what the mapping reads
	}
	if l.opts.Deletes {
		q.Fields = []string{l.tbl.SourceKeyField}
	}
	if l.opts.Limit > 0 && l.opts.Limit < q.PageSize {
		q.PageSize = l.opts.Limit
	}
	// The count before the sweep: the progress bar's total, the most pages
	// the walk may take, and a --full run's evidence (see closeVerdict).
	n := l.count(ctx, cond)
	l.evidence.CountBefore = n
	if n >= 0 {
		q.MaxPages = connectwise.PageBudget(n, q.PageSize)
	}
	if l.obs != nil {
		total := -1
		if l.opts.CountTotal && n >= 0 {
			total = n
			if l.opts.Limit > 0 {
				total = min(total, l.opts.Limit)
			}
		}
		l.obs.Started(&l.stats, total)
	}
	if !l.opts.Deadline.IsZero() {
		l.budget = newSweepBudget(time.Now(), l.opts.Deadline)
	}
	l.writer.streaming = l.useStream()
	var failed error // a failure of our own, not the source's
	// take counts one record read, or stops the sweep at --limit.
	take := func() error {
		if l.opts.Limit > 0 && l.stats.RecordsRead >= int64(l.opts.Limit) {
			return errLimit
		}
		l.stats.RecordsRead++
		return nil
	}
	pageDone := func(records int, err error) error {
		if l.obs != nil {
			l.obs.Records(l.stats.RecordsRead)
		}
		if err == nil {
			err = l.checkCut(records < q.PageSize)
		}
		return err
	}
	// A --deletes sweep reads ids alone, page by page; a load decodes its
	// pages on several cores ahead of the loader (see pipeline).
	prepare := func(page streamPage) (*decodedPage[R], error) { return l.decoder.decode(page) }
	handle := func(dp *decodedPage[R]) error {
		defer l.decoder.release(dp)
		var err error
		for i := range dp.recs {
			if err = take(); err != nil {
				break
			}
			if err = l.add(ctx, dp.stream, &dp.recs[i]); err != nil {
				failed = err
				break
			}
		}
		return pageDone(dp.records, err)
	}
	if l.opts.Deletes {
		prepare = func(page streamPage) (*decodedPage[R], error) {
			return &decodedPage[R]{stream: page.stream, records: page.Records, ids: page}, nil
		}
		handle = func(dp *decodedPage[R]) error {
			defer dp.ids.Release()
			err := dp.ids.EachRecord(func(rec []byte) error { // the client validated the page
				if err := take(); err != nil {
					return err
				}
				if err := l.markSeen(ctx, dp.stream, rec); err != nil {
					failed = err
					return err
				}
				return nil
			})
			return pageDone(dp.records, err)
		}
	}
	var err error
	l.stats.Streams = 1
	ranges, rs, ok, streamErr := l.streamRanges(ctx, cond)
	if ok {
		l.stats.Streams = min(l.opts.Streams, len(ranges))
		err = l.fetchStreams(ctx, rs, q, ranges, prepare, handle)
	} else if err = streamErr; err == nil {
		fetchCtx, stopFetch := context.WithCancel(ctx) // the deadline's hard stop cancels the fetch alone
		defer stopFetch()
		if l.budget != nil {
			l.budget.stopFetch = stopFetch
		}
		err = pipeline(fetchCtx, l.decodeWorkers(), streamPageBytes, func(ctx context.Context, enqueue func(streamPage) error) error {
			return l.src.Pages(ctx, l.tbl.Endpoint, q, func(page connectwise.Page) error { return enqueue(streamPage{page, 0}) })
		}, prepare, handle)
		if l.budget != nil {
			l.budget.disarm()
			if err != nil && l.budget.fetchStopped() && ctx.Err() == nil {
				err = errCut // every page delivered was handled; the one on the wire is dropped
			}
		}
	}
	if errors.Is(err, errLimit) {
		l.limited, err = true, nil
	}
	if errors.Is(err, errCut) {
		l.stats.Cut, err = true, nil
	}
	l.stats.Complete = err == nil && !l.limited && !l.noIDSeen && !l.stats.Cut
	l.evidence.Read = l.stats.RecordsRead
	if failed != nil {
		return failed
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", l.tbl.Endpoint, err)
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	return l.commitStream() // the sweep ends when its last INSERT has landed
}

// count returns the number of source records matching cond, -1 when the
// source cannot say (a --full run then closes nothing and says so).
func (l *loader[R]) count(ctx context.Context, cond string) int {
	n, err := l.src.Count(ctx, l.tbl.Endpoint, cond)
	if err != nil {
		return -1
	}
	return n
}

// fetchStreams fetches the id ranges in parallel streams; see pipeline.
func (l *loader[R]) fetchStreams(ctx context.Context, rs RangeSource, q connectwise.Query, ranges [][2]int64,
	prepare func(streamPage) (*decodedPage[R], error), handle func(*decodedPage[R]) error) error {
	return pipeline(ctx, max(l.decodeWorkers(), 2*l.opts.Streams), streamPageBytes, func(ctx context.Context, enqueue func(streamPage) error) error {
		return rs.PagesByIDRange(ctx, l.tbl.Endpoint, q, l.tbl.SourceKeyField, ranges, l.opts.Streams,
			func(stream int, page connectwise.Page) error { return enqueue(streamPage{page, stream}) })
	}, prepare, handle)
}

// decodeWorkers is how many pages decode at once: one a core, at most 4
// (beyond that the loader's own goroutine and the engine are the bound).
func (l *loader[R]) decodeWorkers() int {
	return min(runtime.GOMAXPROCS(0), 4)
}

// streamPage is a page and the index of the stream that fetched it.
type streamPage struct {
	connectwise.Page
	stream int
}

func streamPageBytes(p streamPage) int { return len(p.Body) }

// pipeline runs fetch in its own goroutine and passes each page it
// delivers to prepare, on up to workers goroutines at once, then to
// handle, one page at a time in the order fetch delivered them: the next
// request is on the wire and the next pages are decoded while the loader
// batches and writes a page. At most workers pages are being prepared
// and workers more wait for handle, and when size is not nil the pages
// between fetch and the end of their handling hold at most pipelineMemory
// bytes (a larger page passes alone). prepare must not touch the loader's
// state; its error reaches handle's place in the order. The first error
// stops every stage; handle's (or prepare's, in page order) wins over
// fetch's. No goroutine is left running on return.
func pipeline[P, D any](ctx context.Context, workers int, size func(P) int, fetch func(ctx context.Context, enqueue func(P) error) error,
	prepare func(P) (D, error), handle func(D) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mem := semaphore.NewWeighted(pipelineMemory)
	type job struct {
		page  P
		out   D
		err   error
		done  chan struct{}
		bytes int64 // of mem, held until handle is done with the page
	}
	work := make(chan *job, workers)
	inOrder := make(chan *job, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.out, j.err = prepare(j.page)
				close(j.done)
			}
		}()
	}
	fetchErr := make(chan error, 1)
	go func() {
		defer close(inOrder)
		defer close(work)
		fetchErr <- fetch(ctx, func(page P) error {
			j := &job{page: page, done: make(chan struct{})}
			if size != nil {
				// A page larger than the whole budget takes all of it: it still passes, alone.
				j.bytes = min(max(int64(size(page)), 1), pipelineMemory)
				if err := mem.Acquire(ctx, j.bytes); err != nil {
					return err
				}
			}
			// Every job handle may wait for is given to a worker first.
			select {
			case work <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case inOrder <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var procErr error
	for j := range inOrder {
		if procErr != nil {
			mem.Release(j.bytes)
			continue // drain until the fetch notices the cancel
		}
		<-j.done
		if procErr = j.err; procErr == nil {
			procErr = handle(j.out)
		}
		mem.Release(j.bytes)
		if procErr != nil {
			cancel()
		}
	}
	wg.Wait()
	if err := <-fetchErr; procErr == nil {
		return err
	}
	return procErr
}

// pipelineMemory bounds the bytes of the pages a pipeline holds between
// fetching and handling them (their bodies, then their decoded rows). It
// does not slow pages of ordinary records (a 1000-ticket page is about
// 2 MB: the queues fill first), but pages of very wide records (50 records
// of 1 MiB) are then decoded one or two at a time instead of six.
const pipelineMemory = 96 << 20

// rangesPerStream is how many id ranges each stream gets. Each range ends
// with a partial page, a whole request that carries less, so against an
// API that answers a page a second one range per stream is fastest
// (measured: 12.7 s for 40k records with 2 ranges per stream, see
// internal/bench BenchmarkStreams); finer ranges would only pay off when
// ids are very unevenly spread.
const rangesPerStream = 1

// streamRanges returns the id ranges to fetch in parallel when
// Options.Streams > 1 and the source can; ok is false for a single stream
// (then err may hold why the bounds could not be read).
func (l *loader[R]) streamRanges(ctx context.Context, cond string) (ranges [][2]int64, rs RangeSource, ok bool, err error) {
	rs, can := l.src.(RangeSource)
	if l.opts.Streams <= 1 || !can || l.opts.Limit > 0 {
		return nil, nil, false, nil
	}
	// Both bounds at once: against a slow API each is a full round trip.
	var lo, hi int64
	var okLo bool
	var errLo, errHi error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); hi, _, errHi = l.idBound(ctx, cond, "desc") }()
	lo, okLo, errLo = l.idBound(ctx, cond, "asc")
	wg.Wait()
	if err := errors.Join(errLo, errHi); err != nil {
		return nil, nil, false, err
	}
	if !okLo {
		return nil, nil, false, nil // nothing matches: a single stream finds that out
	}
	ranges, err = connectwise.SplitIDRange(lo, hi, l.opts.Streams*rangesPerStream)
	if err != nil {
		return nil, nil, false, err
	}
	return ranges, rs, true, nil
}

// idBound reads the smallest (order "asc") or largest ("desc") source key
// matching cond with a one-record page.
func (l *loader[R]) idBound(ctx context.Context, cond, order string) (id int64, ok bool, err error) {
	q := connectwise.Query{Conditions: cond, PageSize: 1, OrderBy: l.tbl.SourceKeyField + " " + order}
	err = l.src.Pages(ctx, l.tbl.Endpoint, q, func(page connectwise.Page) error {
		return connectwise.SplitRecords(page.Body, func(rec []byte) error {
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(rec, &probe); err != nil {
				return err
			}
			n, perr := strconv.ParseInt(string(probe[l.tbl.SourceKeyField]), 10, 64)
			if perr != nil {
				return fmt.Errorf("the first record's %s is not an integer: %s", l.tbl.SourceKeyField, probe[l.tbl.SourceKeyField])
			}
			id, ok = n, true
			return errStopBound
		})
	})
	if errors.Is(err, errStopBound) {
		err = nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("finding the %s id bounds for parallel streams: %w", order, err)
	}
	return id, ok, nil
}

var errStopBound = errors.New("bound found")
