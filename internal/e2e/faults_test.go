package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
)

// TestFaultsLoadLikeCleanRun loads twin stores (same seed, same mutation)
// from a clean server and from one that answers 10% of requests 429
// (Retry-After: 0), 10% 500/502/503, 5% with the connection reset mid-body
// and 5% with a truncated JSON page, and checks that the two tables end up
// equal.
func TestFaultsLoadLikeCleanRun(t *testing.T) {
	bothEngines(t, func(t *testing.T, tg *target) {
		const seed, n = 23, 2000
		clean := startCW(t, cwfake.Config{Store: cwfake.NewStore(seed, n)})
		faulty := startCW(t, cwfake.Config{Store: cwfake.NewStore(seed, n), FaultSeed: 5,
			RateLimitFraction: 0.1, ServerErrorFraction: 0.1, ResetFraction: 0.05, MalformedFraction: 0.05, RetryAfter: -1})
		dbClean, dbFaulty := tg.tenant(t, "clean"), tg.tenant(t, "faulty")
		args := []string{"--page-size", "100"} // many requests, so that faults fire

		both := func(what string) summary {
			t.Helper()
			rc := mustBackfill(t, tg, clean, dbClean, args...)
			rf := mustBackfill(t, tg, faulty, dbFaulty, args...)
			sc, sf := parseSummary(t, rc), parseSummary(t, rf)
			for _, k := range summaryKeys {
				if k != "time taken" && sc.values[k] != sf.values[k] {
					t.Errorf("%s: summary %s = %s with faults, %s without", what, k, sf.values[k], sc.values[k])
				}
			}
			if !strings.Contains(rf.stderr, "retrying") {
				t.Errorf("%s: the run against the faulty server logged no retry:\n%s", what, tail(rf.stderr, 20))
			}
			return sc
		}
		both("first load")
		repC := clean.Store().Mutate(29, 150, 0, 60)
		repF := faulty.Store().Mutate(29, 150, 0, 60)
		if !slices.Equal(repC.Changed, repF.Changed) || !slices.Equal(repC.Added, repF.Added) {
			t.Fatal("the twin stores mutated differently")
		}
		changed := both("rerun after changes").n(t, "changed")
		if changed == 0 {
			t.Error("the rerun changed nothing")
		}

		// The faults fired.
		st := faulty.Stats()
		t.Logf("faulty server: %d requests, by status %v, faults %v", st.Requests, st.ByStatus, st.Faults)
		if st.Faults["rateLimit"] == 0 || st.ByStatus["429"] == 0 {
			t.Errorf("no 429 was served: %v", st.ByStatus)
		}
		if st.Faults["serverError"] == 0 || st.ByStatus["500"]+st.ByStatus["502"]+st.ByStatus["503"] == 0 {
			t.Errorf("no 5xx was served: %v", st.ByStatus)
		}
		if st.Faults["reset"] == 0 || st.Faults["malformed"] == 0 {
			t.Errorf("no reset or no truncated page was served: %v", st.Faults)
		}
		if cs := clean.Stats(); len(cs.Faults) != 0 {
			t.Errorf("the clean server faulted: %v", cs.Faults)
		}

		// Both tables hold the same versions.
		cols := append(slices.Clone(businessColumns), "effective_start_date", "effective_end_date", "is_current", "record_hash")
		want := tg.versions(t, dbClean, "")
		if got := int64(len(want)); got != n+60+changed {
			t.Errorf("the clean table has %d versions, want %d", got, n+60+changed)
		}
		checkSameRows(t, "the table loaded through faults vs. the clean one", tg.versions(t, dbFaulty, ""), want, cols)
		checkSCD(t, tg, dbFaulty, idSet(sourceTickets(faulty.Store().Tickets())))
	})
}
