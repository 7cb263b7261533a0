package backfill

import (
	"sync/atomic"
	"time"
)

// sweepBudget decides when a sweep bound by a deadline (a Lambda
// invocation's) stops fetching. After each page it asks whether the time
// left covers one more page, the final writes (the INSERT in flight and
// the pending batch) and a reserve for the checkpoint and the answer. The
// estimates are the longest seen in this invocation, so the margin adapts
// to the source and the engine, and the reserve to the deadline: a tenth
// of the time given, between minReserve and maxReserve. The first page is
// always loaded, so every invocation that stops early has advanced its
// checkpoint. A page slower than any before cannot overrun the deadline:
// once a page is loaded, the fetch of the next is cancelled at hardStop.
type sweepBudget struct {
	deadline time.Time
	reserve  time.Duration
	last     time.Time     // when the previous page arrived (or the sweep started)
	page     time.Duration // longest wait for a page
	write    time.Duration // longest INSERT
	pages    int           // pages handled

	stopFetch func()      // cancels the fetch (nil: cannot)
	timer     *time.Timer // fires stopFetch at hardStop
	fired     atomic.Bool
}

const (
	minReserve = 250 * time.Millisecond
	maxReserve = 10 * time.Second
)

func newSweepBudget(start, deadline time.Time) *sweepBudget {
	reserve := min(max(deadline.Sub(start)/10, minReserve), maxReserve)
	return &sweepBudget{deadline: deadline, reserve: reserve, last: start}
}

// pageArrived counts a page and the wait for it.
func (b *sweepBudget) pageArrived(now time.Time) {
	b.page = max(b.page, now.Sub(b.last))
	b.last = now
	b.pages++
}

// wrote records how long an INSERT took.
func (b *sweepBudget) wrote(d time.Duration) { b.write = max(b.write, d) }

// finish is the time the final writes and the checkpoint need.
func (b *sweepBudget) finish() time.Duration {
	write := max(b.write, b.reserve) // before any INSERT was timed, guess
	return 2*write + b.reserve
}

// stop reports whether the sweep must stop fetching now: the next page,
// as slow as the slowest so far, would not leave time to finish.
func (b *sweepBudget) stop(now time.Time) bool {
	if b.pages == 0 {
		return false
	}
	return now.Add(b.page + b.finish()).After(b.deadline)
}

// hardStop is when a fetch still waiting for its page is cancelled.
func (b *sweepBudget) hardStop() time.Time { return b.deadline.Add(-b.finish()) }

// armHardStop starts (once a page is loaded) or moves the timer that
// cancels the fetch at hardStop.
func (b *sweepBudget) armHardStop() {
	if b.stopFetch == nil || b.pages == 0 {
		return
	}
	d := time.Until(b.hardStop())
	if b.timer == nil {
		b.timer = time.AfterFunc(d, func() { b.fired.Store(true); b.stopFetch() })
		return
	}
	b.timer.Reset(d)
}

// disarm stops the timer once the fetch is over.
func (b *sweepBudget) disarm() {
	if b.timer != nil {
		b.timer.Stop()
	}
}

// fetchStopped reports whether the hard stop cancelled the fetch.
func (b *sweepBudget) fetchStopped() bool { return b.fired.Load() }
