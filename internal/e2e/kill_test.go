package e2e

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/cwfake"
)

// killSeed seeds the kill moments; change it to explore others.
const killSeed = 20261125

// TestKillMidRun kills the binary with SIGKILL at a random moment of a run
// that spans many pages and inserts, reruns it to completion, and checks
// the table after every kill and every rerun: at most (after a kill) and
// exactly (after the rerun) one current version per key, no duplicate
// versions, every source ticket loaded, no version ever lost, and the same
// history as a twin tenant loaded from a twin store without kills. Between
// iterations both stores get the same small mutation, so versions pile up.
func TestKillMidRun(t *testing.T) {
	bothEngines(t, func(t *testing.T, tg *target) {
		iterations := 20 // the crash-safety target: at least 20 killed runs
		if tg.kind == kindServer {
			iterations = 5
		}
		const (
			seed     = 41
			n        = 1000
			pageSize = 100
			slowPage = 150 * time.Millisecond
		)
		store, twin := cwfake.NewStore(seed, n), cwfake.NewStore(seed, n)
		slow := startCW(t, cwfake.Config{Store: store, SlowPage: slowPage}) // the run that gets killed
		fast := startCW(t, cwfake.Config{Store: store})                     // the rerun
		clean := startCW(t, cwfake.Config{Store: twin})                     // the twin, never killed
		db, dbTwin := tg.tenant(t, "killed"), tg.tenant(t, "twin")
		args := []string{"--page-size", strconv.Itoa(pageSize), "--batch-rows", "100"}
		rng := rand.New(rand.NewPCG(killSeed, uint64(len(tg.kind))))

		versions := map[string]bool{} // "id|start" of every version seen so far
		var midWrite int              // kills that left some but not all of a run's rows
		for i := range iterations {
			var rep cwfake.MutationReport
			var before map[int64]row
			if i > 0 {
				before = expectedRows(t, store)
				rep = store.Mutate(int64(100+i), 60, 0, 20)
				trep := twin.Mutate(int64(100+i), 60, 0, 20)
				if !slices.Equal(rep.Changed, trep.Changed) || !slices.Equal(rep.Added, trep.Added) {
					t.Fatal("the twin stores mutated differently")
				}
			}
			want := expectedRows(t, store)
			// The first run is the initial load; later ones sweep every
			// page (--full), so that their inserts spread over the run.
			var mode []string
			if i > 0 {
				mode = []string{"--full"}
			}
			// Kill somewhere between the first page and the estimated end
			// (the pages' delay and some time for the inserts).
			span := time.Duration(len(want)/pageSize+1)*slowPage + 200*time.Millisecond
			delay := time.Duration(rng.Int64N(int64(span)))

			versionsBefore := int64(0)
			if i > 0 {
				versionsBefore = tg.countRows(t, db, true)
			}
			rk := backfillKilled(t, tg, slow, db, delay, append(slices.Clone(args), mode...)...)
			if !rk.killed && rk.code != 0 {
				t.Fatalf("iteration %d: the run failed by itself\n%s", i, rk)
			}
			// A kill leaves at most one current version per key.
			versionsAfterKill := int64(0)
			if tg.count(t, "SELECT toString(count()) AS v_n FROM system.tables WHERE database = '"+db+"' AND name = 'tickets'") == 1 {
				checkSCD(t, tg, db, nil)
				versionsAfterKill = tg.countRows(t, db, true)
			}

			rr := mustBackfill(t, tg, fast, db, args...) // resume from the recorded cursor
			rerunRows := parseSummary(t, rr).n(t, "rows written")
			mustBackfill(t, tg, clean, dbTwin, args...)
			if rk.killed && versionsAfterKill > versionsBefore && rerunRows > 0 {
				midWrite++
			}
			t.Logf("iteration %d %v: kill %v after the first page: killed %v, new versions written before the kill %d, rows written by the rerun %d",
				i, mode, delay.Round(time.Millisecond), rk.killed, versionsAfterKill-versionsBefore, rerunRows)

			// The exact query of the brief: one current version per key.
			if bad := tg.query(t, "SELECT toString(id) AS v_id, toString(countIf(is_current = 1)) AS v_c FROM "+tbl(db)+
				" FINAL GROUP BY id HAVING countIf(is_current = 1) != 1 LIMIT 10"); len(bad) > 0 {
				t.Errorf("iteration %d: keys without exactly one current version: %v", i, bad)
			}
			if dup := tg.query(t, "SELECT toString(id) AS v_id, toString(effective_start_date) AS v_start FROM "+tbl(db)+
				" FINAL GROUP BY id, effective_start_date HAVING count() > 1 LIMIT 10"); len(dup) > 0 {
				t.Errorf("iteration %d: duplicate versions after FINAL: %v", i, dup)
			}
			all := checkSCD(t, tg, db, idSet(want))
			checkCurrentMatchesSource(t, tg, db, want)

			// No version is lost, and every mutation made its version.
			now := map[string]bool{}
			for _, vs := range all {
				for _, v := range vs {
					now[v.get("id")+"|"+v.get("effective_start_date")] = true
				}
			}
			errs := &errorList{what: "versions across kills"}
			if len(now) < len(versions) {
				errs.add("iteration %d: %d distinct versions, fewer than the %d before", i, len(now), len(versions))
			}
			for k := range versions {
				if !now[k] {
					errs.add("iteration %d: version %s is gone", i, k)
				}
			}
			for _, id := range append(slices.Clone(rep.Changed), rep.Added...) {
				w := want[int64(id)]
				if b, ok := before[int64(id)]; ok && !businessChanged(b, w) {
					continue // only ignored columns changed: no version
				}
				if !now[w.get("id")+"|"+w.get("last_updated")] {
					errs.add("iteration %d: ticket %d has no version starting at its lastUpdated %s", i, id, w.get("last_updated"))
				}
			}
			errs.report(t)
			versions = now

			// The same history as the twin loaded without kills.
			cols := append(slices.Clone(businessColumns), "effective_start_date", "effective_end_date", "is_current", "record_hash")
			checkSameRows(t, "killed tenant vs. the twin", tg.versions(t, db, ""), tg.versions(t, dbTwin, ""), cols)
			if t.Failed() {
				t.FailNow()
			}
		}
		if midWrite == 0 {
			t.Errorf("no kill of %d landed between two inserts of a run (see the log): the test proved nothing about crashes", iterations)
		}
	})
}
