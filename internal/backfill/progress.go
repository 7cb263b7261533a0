package backfill

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal (an *os.File, or a wrapper
// exposing its Fd, on a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// barObserver draws a progress bar of records read.
type barObserver struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (o *barObserver) Started(_ *Stats, n int) {
	o.bar = progressbar.NewOptions64(int64(n),
		progressbar.OptionSetWriter(o.w),
		progressbar.OptionSetDescription("records"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rec"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func (o *barObserver) Records(read int64) {
	if o.bar != nil {
		_ = o.bar.Set64(read)
	}
}

func (o *barObserver) Batch(s *Stats) {
	if o.bar != nil {
		o.bar.Describe(fmt.Sprintf("records (%d rows written)", s.RowsWritten))
	}
}

// finish removes the bar before the summary is printed.
func (o *barObserver) finish() {
	if o.bar != nil {
		_ = o.bar.Finish()
		_ = o.bar.Clear()
	}
}

// logObserver logs progress with slog, at most every interval for pages.
type logObserver struct {
	log      *slog.Logger
	runID    *atomic.Pointer[string] // set when the sweep starts (see withRunID)
	interval time.Duration
	last     time.Time
	total    int
}

func (o *logObserver) Started(s *Stats, n int) {
	if o.runID != nil {
		o.runID.Store(&s.RunID)
	}
	o.log.Info("sweep started", "mode", s.Mode, "resumed_from", s.ResumedFrom)
	o.total = n
	o.last = time.Now()
}

func (o *logObserver) Records(read int64) {
	if time.Since(o.last) < o.interval {
		return
	}
	o.last = time.Now()
	if o.total >= 0 {
		o.log.Info("reading", "records_read", read, "records_total", o.total)
		return
	}
	o.log.Info("reading", "records_read", read)
}

func (o *logObserver) Batch(s *Stats) {
	o.log.Info("batch done", "records_read", s.RecordsRead, "new", s.NewKeys, "changed", s.Changed,
		"unchanged", s.Unchanged, "closed", s.Closed, "rejected", s.Rejected, "rows_written", s.RowsWritten)
}

// withRunID returns a logger whose lines carry run_id once the returned
// pointer is set: the run id is known only once the load has read its
// checkpoint, while the source client logs from the start.
func withRunID(log *slog.Logger) (*slog.Logger, *atomic.Pointer[string]) {
	id := &atomic.Pointer[string]{}
	return slog.New(runIDHandler{log.Handler(), id}), id
}

type runIDHandler struct {
	slog.Handler
	id *atomic.Pointer[string]
}

func (h runIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := h.id.Load(); id != nil {
		r.AddAttrs(slog.String("run_id", *id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h runIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return runIDHandler{h.Handler.WithAttrs(attrs), h.id}
}

func (h runIDHandler) WithGroup(name string) slog.Handler {
	return runIDHandler{h.Handler.WithGroup(name), h.id}
}
