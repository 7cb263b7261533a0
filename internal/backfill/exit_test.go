package backfill_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/backfill"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestExitStatusTellsTheTruth: 0 only when every record read loaded; 3
// when records were rejected within --max-rejects, the count, share and
// reject file in the last line; 1 beyond it.
func TestExitStatusTellsTheTruth(t *testing.T) {
	tg := wt.Embedded(t)
	setPage := pageCW(t)
	db := wt.Database(t)
	good := func(id int) string { return ticketJSON(id, "ok", "Low", "2024-03-01T00:00:00Z") }
	bad := func(id int) string { return ticketJSON(id, "bad", "Extreme", "2024-03-01T00:00:00Z") }

	// 3 of 8 rejected, within --max-rejects 3: the rest loads, exit 3.
	setPage(good(1), bad(2), good(3), bad(4), good(5), good(6), bad(7), good(8))
	r := load(t, tg, db, "--max-rejects", "3")
	if r.code != backfill.ExitRejected {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, backfill.ExitRejected, r.stdout, r.stderr)
	}
	expect(t, r, map[string]string{"new keys": "5", "rejected": "3", "rows written": "5"})
	if !regexp.MustCompile(`(?m)^  rejected +3 \(37\.5% of records read\)$`).MatchString(r.stdout) {
		t.Errorf("summary does not show the share rejected:\n%s", r.stdout)
	}
	last := lastLine(r.stderr)
	m := regexp.MustCompile(`^backfill-connectwise-tickets: 3 of 8 records read were rejected \(37\.5%\), the rest loaded; rejects in (\S+) \(exit status 3\)$`).FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line = %q", last)
	}
	if data, err := os.ReadFile(m[1]); err != nil || strings.Count(string(data), "\n") != 3 {
		t.Errorf("reject file %s: %v, %d lines", m[1], err, strings.Count(string(data), "\n"))
	}
	if filepath.Dir(filepath.Dir(m[1])) != filepath.Clean(tg.DataDir) {
		t.Errorf("reject file %s is not under the data directory %s", m[1], tg.DataDir)
	}

	// A dry run that would reject says so and exits 3 too.
	r = load(t, tg, db, "--max-rejects", "3", "--dry-run", "--full")
	if r.code != backfill.ExitRejected || !strings.Contains(lastLine(r.stderr), "3 of 8 records read would be rejected (37.5%); dry run") {
		t.Errorf("dry run: exit %d, last line %q", r.code, lastLine(r.stderr))
	}

	// One more reject than allowed: exit 1, the reason and the file last.
	r = load(t, tg, db, "--max-rejects", "2", "--full")
	if last := lastLine(r.stderr); r.code != backfill.ExitFailed || !strings.Contains(last, "3 records rejected, more than --max-rejects 2") ||
		!strings.Contains(last, "; rejects in "+filepath.Join(tg.DataDir, "rejects")) {
		t.Errorf("beyond --max-rejects: exit %d, last line %q", r.code, last)
	}

	// Every record loads: exit 0, nothing on stderr but the log.
	setPage(good(1), good(2), good(3))
	r = load(t, tg, db, "--full", "--max-close-fraction", "1") // keys 5, 6, 8 are gone
	if r.code != backfill.ExitOK || strings.Contains(r.stderr, "rejected (") {
		t.Errorf("clean run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	expect(t, r, map[string]string{"rejected": "0"})

	// -h documents the statuses.
	if h := run("-h"); !strings.Contains(h.stdout, "Exit status: 0 every record read was loaded; 3 the run loaded") {
		t.Errorf("-h does not document exit status 3:\n%s", h.stdout)
	}
}
