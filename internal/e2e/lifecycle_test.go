package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/cwfake"
)

// TestLifecycle runs the binary through a tenant's life on each engine:
// the first load of 5000 tickets, a rerun, a rerun after changes and
// additions, and a --full sweep after deletes. Each step checks the
// summary the binary prints and what the table holds afterwards.
func TestLifecycle(t *testing.T) {
	bothEngines(t, func(t *testing.T, tg *target) {
		const seed, n = 7, 5000
		cw := startCW(t, cwfake.Config{Store: cwfake.NewStore(seed, n)})
		store := cw.Store()
		db := tg.tenant(t, "lifecycle")

		// State handed from step to step.
		var (
			want     map[int64]row   // expected current rows of the served tickets
			versions map[int64][]row // the table (FINAL) after the last step
		)

		ok := t.Run("first_load", func(t *testing.T) {
			want = expectedRows(t, store)
			if len(want) != n {
				t.Fatalf("the store serves %d tickets, want %d", len(want), n)
			}
			before := time.Now().UTC().Truncate(time.Second)
			r := mustBackfill(t, tg, cw, db)
			after := time.Now().UTC()
			s := parseSummary(t, r)
			s.expect(t, r, map[string]int64{"records read": n, "new keys": n, "changed": 0, "unchanged": 0,
				"closed": 0, "rejected": 0, "duplicates": 0, "rows written": n})
			t.Logf("RATE %s: first load of %d tickets through the binary and HTTP: %.0f rows/s over the process's wall time %v; the summary says records read %s, rows written %s, time taken %s",
				tg.kind, n, float64(n)/r.wall.Seconds(), r.wall.Round(time.Millisecond), s.rates["records read"], s.rates["rows written"], s.values["time taken"])

			if got := tg.count(t, "SELECT toString(count()) AS v_n FROM `"+db+"`.tickets_current"); got != n {
				t.Errorf("tickets_current has %d rows, want %d", got, n)
			}
			if got := tg.countRows(t, db, false); got != n {
				t.Errorf("tickets has %d rows, want %d (one version per ticket)", got, n)
			}
			checkCurrentMatchesSource(t, tg, db, want)

			// Every row was written once, during the run.
			versions = checkSCD(t, tg, db, idSet(want))
			errs := &errorList{what: "write times of the first load"}
			lo, hi := before.Format(dbTime), after.Add(time.Second).Format(dbTime)
			for id, vs := range versions {
				v := vs[0]
				if v.get("created_at") != v.get("updated_at") {
					errs.add("id %d: created_at %s, updated_at %s: a first write has them equal", id, v.get("created_at"), v.get("updated_at"))
				}
				if c := *v["created_at"]; c < lo || c > hi {
					errs.add("id %d: created_at %s outside the run [%s, %s]", id, c, lo, hi)
				}
			}
			errs.report(t)
		})
		if !ok {
			return
		}

		ok = t.Run("rerun", func(t *testing.T) {
			rows, final := tg.countRows(t, db, false), tg.countRows(t, db, true)
			snap := tg.versions(t, db, "")
			same := func(what string) {
				t.Helper()
				if got := tg.countRows(t, db, false); got != rows {
					t.Errorf("after %s: count() = %d, want %d", what, got, rows)
				}
				if got := tg.countRows(t, db, true); got != final {
					t.Errorf("after %s: count() FINAL = %d, want %d", what, got, final)
				}
				checkSameRows(t, what, tg.versions(t, db, ""), snap, allColumns)
			}

			// The next run resumes from the cursor: nothing is newer.
			r := mustBackfill(t, tg, cw, db)
			parseSummary(t, r).expect(t, r, map[string]int64{"new keys": 0, "changed": 0, "closed": 0, "rejected": 0, "rows written": 0})
			same("an incremental rerun")

			// A full sweep reads everything and finds it unchanged.
			r = mustBackfill(t, tg, cw, db, "--full")
			parseSummary(t, r).expect(t, r, map[string]int64{"records read": n, "new keys": 0, "changed": 0, "unchanged": n,
				"closed": 0, "rejected": 0, "rows written": 0})
			same("a --full rerun")
		})
		if !ok {
			return
		}

		ok = t.Run("mutate_rerun", func(t *testing.T) {
			const changed, added = 200, 50
			rep := store.Mutate(11, changed, 0, added)
			if len(rep.Changed) != changed || len(rep.Added) != added || len(rep.Deleted) != 0 {
				t.Fatalf("Mutate changed %d, added %d, deleted %d tickets", len(rep.Changed), len(rep.Added), len(rep.Deleted))
			}
			next := expectedRows(t, store)
			// A change that only touched ignored columns opens no version.
			var opened []int64
			for _, id := range rep.Changed {
				if businessChanged(want[int64(id)], next[int64(id)]) {
					opened = append(opened, int64(id))
				}
			}
			if len(opened) != changed {
				t.Logf("%d of the %d changed tickets changed only ignored columns", changed-len(opened), changed)
			}
			nc := int64(len(opened))
			r := mustBackfill(t, tg, cw, db)
			parseSummary(t, r).expect(t, r, map[string]int64{"records read": changed + added, "new keys": added, "changed": nc,
				"unchanged": changed - nc, "closed": 0, "rejected": 0, "rows written": added + 2*nc})

			after := checkSCD(t, tg, db, idSet(next))
			checkCurrentMatchesSource(t, tg, db, next)
			if got, want := tg.countRows(t, db, true), int64(n+added)+nc; got != want {
				t.Errorf("count() FINAL = %d, want %d", got, want)
			}

			errs := &errorList{what: "versions after the changes"}
			isOpened := map[int64]bool{}
			for _, id := range opened {
				isOpened[id] = true
				vs, old := after[id], versions[id][0]
				if len(vs) != 2 {
					errs.add("changed id %d: %d versions, want 2", id, len(vs))
					continue
				}
				prev, cur := vs[0], vs[1]
				if cur.get("effective_start_date") != next[id].get("last_updated") {
					errs.add("changed id %d: new version starts %s, want its new lastUpdated %s", id, cur.get("effective_start_date"), next[id].get("last_updated"))
				}
				// The previous version: the same row, closed where the new one starts.
				for _, d := range diffRow(prev, old, append(slices.Clone(businessColumns), "effective_start_date", "created_at", "record_hash")) {
					errs.add("changed id %d, previous version: %s", id, d)
				}
				if prev.get("effective_end_date") != cur.get("effective_start_date") || prev.get("is_current") != `"0"` {
					errs.add("changed id %d: previous version ends %s (is_current %s), want %s (0)", id, prev.get("effective_end_date"), prev.get("is_current"), cur.get("effective_start_date"))
				}
				if *prev["updated_at"] <= *old["updated_at"] {
					errs.add("changed id %d: the closed rewrite has updated_at %s, not after %s", id, *prev["updated_at"], *old["updated_at"])
				}
				if prev.get("record_hash") == cur.get("record_hash") {
					errs.add("changed id %d: both versions hash to %s", id, cur.get("record_hash"))
				}
			}
			for _, id := range rep.Added {
				if len(after[int64(id)]) != 1 {
					errs.add("added id %d: %d versions, want 1", id, len(after[int64(id)]))
				}
			}
			// Every other key is untouched.
			for id, old := range versions {
				if isOpened[id] {
					continue
				}
				vs := after[id]
				if len(vs) != 1 {
					errs.add("unchanged id %d: %d versions, want 1", id, len(vs))
					continue
				}
				for _, d := range diffRow(vs[0], old[0], scdColumns) {
					errs.add("unchanged id %d: %s", id, d)
				}
			}
			errs.report(t)
			want, versions = next, after
		})
		if !ok {
			return
		}

		t.Run("full_after_deletes", func(t *testing.T) {
			const deleted = 100
			rep := store.Mutate(13, 0, deleted, 0)
			if len(rep.Deleted) != deleted || len(rep.Changed) != 0 || len(rep.Added) != 0 {
				t.Fatalf("Mutate deleted %d, changed %d, added %d tickets", len(rep.Deleted), len(rep.Changed), len(rep.Added))
			}
			gone := map[int64]bool{}
			for _, id := range rep.Deleted {
				gone[int64(id)] = true
			}
			next := expectedRows(t, store)
			if len(next) != len(want)-deleted {
				t.Fatalf("the store serves %d tickets, want %d", len(next), len(want)-deleted)
			}
			start := time.Now().UTC().Truncate(time.Second)
			r := mustBackfill(t, tg, cw, db, "--full")
			end := time.Now().UTC()
			parseSummary(t, r).expect(t, r, map[string]int64{"records read": int64(len(next)), "new keys": 0, "changed": 0,
				"unchanged": int64(len(next)), "closed": deleted, "rejected": 0, "rows written": deleted})

			after := checkSCD(t, tg, db, idSet(next)) // the deleted keys have no current version, the others one
			checkCurrentMatchesSource(t, tg, db, next)
			errs := &errorList{what: "versions after the --full sweep"}
			lo, hi := start.Format(dbTime), end.Add(time.Second).Format(dbTime)
			for id, old := range versions {
				vs := after[id]
				if len(vs) != len(old) {
					errs.add("id %d: %d versions, want %d", id, len(vs), len(old))
					continue
				}
				last := len(vs) - 1
				// Versions before the last are untouched.
				for i := range last {
					for _, d := range diffRow(vs[i], old[i], allColumns) {
						errs.add("id %d, version %d: %s", id, i, d)
					}
				}
				if !gone[id] {
					for _, d := range diffRow(vs[last], old[last], allColumns) {
						errs.add("id %d (still served): %s", id, d)
					}
					continue
				}
				// A deleted key's last version is closed at the run's start.
				v := vs[last]
				for _, d := range diffRow(v, old[last], append(slices.Clone(businessColumns), "effective_start_date", "created_at", "record_hash")) {
					errs.add("deleted id %d: %s", id, d)
				}
				if v.get("is_current") != `"0"` {
					errs.add("deleted id %d: is_current %s", id, v.get("is_current"))
				}
				if e := v["effective_end_date"]; e == nil || *e < lo || *e > hi {
					errs.add("deleted id %d: effective_end_date %s, want the run's start in [%s, %s]", id, str(e), lo, hi)
				}
			}
			// Exactly the deleted keys were closed.
			for id, vs := range after {
				current := vs[len(vs)-1].get("is_current") == `"1"`
				if current == gone[id] {
					errs.add("id %d: current %v, deleted from the source %v", id, current, gone[id])
				}
			}
			errs.report(t)
			if got := tg.count(t, "SELECT toString(count()) AS v_n FROM `"+db+"`.tickets_current"); got != int64(len(next)) {
				t.Errorf("tickets_current has %d rows, want %d", got, len(next))
			}
		})
	})
}

// checkSameRows checks that two reads of a table are equal on cols.
func checkSameRows(t testing.TB, what string, got, want []row, cols []string) {
	t.Helper()
	errs := &errorList{what: what}
	if len(got) != len(want) {
		errs.add("%d rows, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		for _, d := range diffRow(got[i], want[i], cols) {
			errs.add("row %d (id %s, start %s): %s", i, want[i].get("id"), want[i].get("effective_start_date"), d)
		}
	}
	errs.report(t)
}
