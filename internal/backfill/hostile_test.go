package backfill_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// hostileCW serves store like fakeCW and returns the server, whose hostile
// mode the test switches.
func hostileCW(t *testing.T, store *cwfake.Store) *cwfake.Server {
	t.Helper()
	api := cwfake.New(cwfake.Config{Store: store, CompanyID: company, PublicKey: publicKey, PrivateKey: privateKey})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	setCWEnv(t, srv.URL+cwfake.DefaultBasePath+"/")
	return api
}

// TestHostileSourceClosesNothing loads a table honestly, changes the
// source a little, then runs --full against a source that breaks the
// protocol in one way. Each bad run must exit 1 with a one-line reason
// and leave the table as it was plus only true rows: no key closed, every
// version written since matching the source.
func TestHostileSourceClosesNothing(t *testing.T) {
	tests := []struct {
		mode   string
		args   []string
		reason string
	}{
		{cwfake.HostileEmptyFirstPage, nil, "--full closed no key: the sweep read 0 records but the endpoint counted 300"},
		{cwfake.HostileEmptyAll, nil, "--full closed no key: it would close 300 of 300 current keys (100.0%), more than --max-close-fraction 0.1"},
		{cwfake.HostileEmptyPageThenData, nil, "paging fault on page 2"},
		{cwfake.HostileFullPageWithoutLink, nil, "a full page (100 records) without a next link"},
		{cwfake.HostileRepeatPages, nil, "is not above the pageId"},
		{cwfake.HostileOversizedPage, nil, "the page holds 101 records, more than the pageSize 100"},
		{cwfake.HostileHTML200, nil, "the body did not parse twice"},
		{cwfake.HostileDeepNesting, nil, "nesting deeper than"},
		{cwfake.HostileHugeRetryAfter, []string{"--max-wait", "1s"}, "wait budget"},
	}
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		for _, tt := range tests {
			t.Run(tt.mode, func(t *testing.T) {
				store := cwfake.NewStore(11, 300)
				api := hostileCW(t, store)
				db := wt.Database(t)
				mustLoad(t, tg, db, "--page-size", "100")
				before := allVersions(t, tg, db)
				store.Mutate(3, 30, 0, 0) // true changes the bad run may or may not get to

				if err := api.SetHostile(tt.mode); err != nil {
					t.Fatal(err)
				}
				r := load(t, tg, db, append([]string{"--full", "--page-size", "100"}, tt.args...)...)
				if r.code != 1 || !strings.Contains(r.stderr, tt.reason) {
					t.Fatalf("exit %d, want 1 with %q; stderr:\n%s", r.code, tt.reason, r.stderr)
				}
				line := errorLine(r.stderr)
				if strings.Count(line, "\n") != 0 || line == "" {
					t.Errorf("the reason is not one line: %q", line)
				}
				t.Log(line)
				after := allVersions(t, tg, db)
				checkOnlyTrueRows(t, store, before, after)
				checkInvariants(t, after, nil)
			})
		}
	})
}

// errorLine returns the "...: error: ..." line of stderr.
func errorLine(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, ": error: ") {
			return l
		}
	}
	return ""
}

// checkOnlyTrueRows checks that after holds every row of before (closed
// only where the key got a new version), that every key current before is
// current after, and that every new version carries the source's values.
func checkOnlyTrueRows(t *testing.T, store *cwfake.Store, before, after map[int64][]wt.Row) {
	t.Helper()
	summary := map[int64]string{}
	for _, tk := range store.TicketValues() {
		summary[int64(tk.ID)] = tk.Summary
	}
	for k, old := range before {
		now := after[k]
		if len(now) < len(old) {
			t.Errorf("key %d: %d versions after the bad run, %d before", k, len(now), len(old))
			continue
		}
		if !now[len(now)-1].IsCurrent {
			t.Errorf("key %d was closed by the bad run", k)
		}
		for i, o := range old {
			n := now[i]
			if n.EffectiveStartDate != o.EffectiveStartDate || n.RecordHash != o.RecordHash {
				t.Errorf("key %d: version %d changed: %+v -> %+v", k, i, o, n)
			}
			if o.IsCurrent && !n.IsCurrent && len(now) == len(old) {
				t.Errorf("key %d: its current version was closed without a new one", k)
			}
		}
		for _, n := range now[len(old):] {
			if n.Summary != summary[k] {
				t.Errorf("key %d: a new version says %q, the source %q", k, n.Summary, summary[k])
			}
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok && !slices.ContainsFunc(store.TicketIDs(), func(id int) bool { return int64(id) == k }) {
			t.Errorf("key %d appeared but the source has no such record", k)
		}
	}
}

// A --full sweep that would close more than --max-close-fraction of the
// current keys closes none, even with honest counts, until the operator
// raises the fraction.
func TestMaxCloseFraction(t *testing.T) {
	tg := wt.Embedded(t)
	store := cwfake.NewStore(12, 200)
	hostileCW(t, store)
	db := wt.Database(t)
	mustLoad(t, tg, db)
	rep := store.Mutate(4, 0, 100, 0) // half the source is gone
	before := allVersions(t, tg, db)

	for _, dry := range []bool{true, false} {
		args := []string{"--full"}
		if dry {
			args = append(args, "--dry-run")
		}
		r := load(t, tg, db, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "it would close 100 of 200 current keys (50.0%), more than --max-close-fraction 0.1") {
			t.Fatalf("%v: exit %d, stderr %s", args, r.code, r.stderr)
		}
	}
	checkOnlyTrueRows(t, store, before, allVersions(t, tg, db))

	r := mustLoad(t, tg, db, "--full", "--max-close-fraction", "0.5")
	expect(t, r, map[string]string{"closed": "100"})
	checkInvariants(t, allVersions(t, tg, db), set(rep.Deleted))
	if r := load(t, tg, db, "--max-close-fraction", "1.5"); r.code != 2 {
		t.Errorf("--max-close-fraction 1.5: exit %d", r.code)
	}
}
