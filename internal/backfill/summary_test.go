package backfill

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestSummaryAligned: every labelled line of the summary starts its value
// in the same column, whichever labels a run prints.
func TestSummaryAligned(t *testing.T) {
	var out bytes.Buffer
	s := Stats{RunID: "r1", Mode: ModeFull, RecordsRead: 10, NewKeys: 3, ChildRequests: 3, Streams: 2, Repaired: 1,
		RowsWritten: 4, Elapsed: time.Second, Cursor: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Cut: true, Checkpoint: 7,
		ResumedFrom: 5, Migrations: []string{"0002_description"}}
	printSummary(&out, "tickets", config{opts: Options{Database: "acme"}}, s)
	labels := []string{"records read", "new keys", "changed", "unchanged", "closed", "rebaselined", "rejected",
		"child requests", "duplicates", "streams", "repaired", "rows written", "time taken", "migrated", "cursor",
		"checkpoint", "resumed"}
	col, seen := -1, 0
	for _, l := range strings.Split(out.String(), "\n") {
		for _, label := range labels {
			rest, ok := strings.CutPrefix(l, "  "+label+" ")
			if !ok {
				continue
			}
			seen++
			at := len(l) - len(strings.TrimLeft(rest, " "))
			if col == -1 {
				col = at
			}
			if at != col {
				t.Errorf("value of %q starts at column %d, want %d:\n%s", label, at, col, out.String())
			}
		}
	}
	if seen != len(labels) {
		t.Errorf("%d of the %d labels printed:\n%s", seen, len(labels), out.String())
	}
}
