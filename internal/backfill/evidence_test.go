package backfill

import (
	"strings"
	"testing"
)

func TestCloseVerdict(t *testing.T) {
	// A healthy sweep of a 1,000-key table that lost 10 keys.
	base := sweepEvidence{CountBefore: 990, CountAfter: 990, Read: 990, Current: 1000, ToClose: 10, MaxCloseFraction: DefaultMaxCloseFraction}
	tests := []struct {
		name string
		mod  func(e *sweepEvidence)
		want string // reason substring; "" means closing is allowed
	}{
		{"agreeing counts", func(*sweepEvidence) {}, ""},
		{"nothing to close needs no evidence", func(e *sweepEvidence) { e.ToClose, e.CountBefore, e.Read = 0, -1, 0 }, ""},
		{"empty sweep, counts say 990", func(e *sweepEvidence) { e.Read = 0 }, "read 0 records but the endpoint counted 990 before it and 990 after"},
		{"empty sweep, counts say 0 (security role changed)", func(e *sweepEvidence) { e.Read, e.CountBefore, e.CountAfter, e.ToClose = 0, 0, 0, 1000 }, "close 1000 of 1000 current keys (100.0%)"},
		{"cut short by one page", func(e *sweepEvidence) { e.Read = 890 }, "read 890 records"},
		{"count unreadable before", func(e *sweepEvidence) { e.CountBefore = -1 }, "could not be read"},
		{"count unreadable after", func(e *sweepEvidence) { e.CountAfter = -1 }, "could not be read"},
		{"records added meanwhile and read", func(e *sweepEvidence) { e.CountAfter, e.Read, e.ChangedDuring = 995, 995, 5 }, ""},
		{"records deleted meanwhile", func(e *sweepEvidence) { e.CountAfter, e.Read = 985, 987 }, ""},
		{"as many added as deleted, added ones read", func(e *sweepEvidence) { e.Read, e.ChangedDuring = 993, 3 }, ""},
		{"more read than counted, nothing changed", func(e *sweepEvidence) { e.Read = 1200 }, "read 1200 records"},
		{"fraction at the limit", func(e *sweepEvidence) { e.ToClose = 100 }, ""},
		{"fraction over the limit", func(e *sweepEvidence) { e.ToClose = 101 }, "close 101 of 1000 current keys (10.1%), more than --max-close-fraction 0.1"},
		{"fraction 1 allows all", func(e *sweepEvidence) { e.ToClose, e.MaxCloseFraction = 1000, 1 }, ""},
		{"fraction 0 allows none", func(e *sweepEvidence) { e.ToClose, e.MaxCloseFraction = 1, 0 }, "close 1 of 1000 current keys (0.1%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.mod(&e)
			ok, reason := closeVerdict(e)
			if ok != (tt.want == "") || !strings.Contains(reason, tt.want) || strings.Contains(reason, "\n") {
				t.Errorf("closeVerdict = %v, %q; want %q", ok, reason, tt.want)
			}
		})
	}
}
