package backfill

import "fmt"

// DefaultMaxCloseFraction is the largest share of a table's current keys
// one --full sweep may close (--max-close-fraction).
const DefaultMaxCloseFraction = 0.1

// sweepEvidence is what a --full sweep can show about having seen the
// whole source, gathered at its edges.
type sweepEvidence struct {
	// CountBefore and CountAfter are the endpoint's /count taken before and
	// after the sweep; -1 when the count could not be read.
	CountBefore, CountAfter int
	// Read is the number of records the sweep delivered (rejects and
	// duplicates included).
	Read int64
	// ChangedDuring is the number of records read whose version timestamp
	// is at or after the sweep's start: records added or changed while it
	// ran, which may or may not have been counted.
	ChangedDuring int64
	// Current is the number of current keys before the sweep; ToClose the
	// number of them the sweep did not return.
	Current, ToClose int64
	// MaxCloseFraction is the largest share of Current the sweep may close
	// (1 allows all).
	MaxCloseFraction float64
}

// closeVerdict decides whether a --full sweep that finished without an
// error may close the keys it did not return. It may only when it
// demonstrably saw the whole source: the records it read agree with /count
// before and after it (within the records that changed meanwhile and the
// count's own change), and the share of current keys it would close is at
// most MaxCloseFraction. reason, when not ok, is one line saying why
// nothing is closed. A sweep that broke the paging rules never gets here:
// it ends with a *connectwise.PagingFault.
func closeVerdict(e sweepEvidence) (ok bool, reason string) {
	if e.ToClose == 0 {
		return true, ""
	}
	if e.CountBefore < 0 || e.CountAfter < 0 {
		return false, "the endpoint's record count could not be read before and after the sweep, so the sweep cannot be shown complete"
	}
	before, after := int64(e.CountBefore), int64(e.CountAfter)
	slack := e.ChangedDuring + abs64(after-before)
	if lo, hi := min(before, after)-slack, max(before, after)+slack; e.Read < lo || e.Read > hi {
		return false, fmt.Sprintf("the sweep read %d records but the endpoint counted %d before it and %d after (allowing %d for records changed meanwhile): it did not see the whole source",
			e.Read, e.CountBefore, e.CountAfter, slack)
	}
	if e.Current > 0 && float64(e.ToClose) > e.MaxCloseFraction*float64(e.Current)+1e-9 {
		return false, fmt.Sprintf("it would close %d of %d current keys (%s), more than --max-close-fraction %g allows; if the source really lost them, rerun with a higher --max-close-fraction",
			e.ToClose, e.Current, share(e.ToClose, e.Current), e.MaxCloseFraction)
	}
	return true, ""
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// CloseRefusedError is the error of a --full run whose sweep did not show
// it saw the whole source: no key was closed, the rows it loaded stay.
type CloseRefusedError struct{ Reason string }

func (e *CloseRefusedError) Error() string {
	return "--full closed no key: " + e.Reason
}
