package backfill_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestLoadRerunMutateFull(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(7, 300)
		fakeCW(t, store)
		db := wt.Database(t)

		// First load: every ticket becomes one current version.
		r := mustLoad(t, tg, db)
		expect(t, r, map[string]string{"records read": "300", "new keys": "300", "changed": "0", "rows written": "300"})
		v := allVersions(t, tg, db)
		if len(v) != 300 {
			t.Fatalf("%d keys loaded, want 300", len(v))
		}
		checkInvariants(t, v, nil)
		if latest := store.LastUpdatedMax(); latest.Before(time.Now().Add(-time.Hour)) {
			if got := summaryValue(t, r, "cursor"); got != latest.UTC().Format(time.RFC3339) {
				t.Errorf("cursor %s, want the latest lastUpdated %s", got, latest.UTC().Format(time.RFC3339))
			}
		}
		for _, tk := range store.TicketValues() {
			row := v[int64(tk.ID)][0]
			if row.Summary != tk.Summary || !row.EffectiveStartDate.Equal(tk.Info.LastUpdated.Time) || !row.LastUpdated.Equal(tk.Info.LastUpdated.Time) {
				t.Fatalf("ticket %d loaded as %+v", tk.ID, row)
			}
		}

		// Rerun (resumes from the cursor) and a full sweep write nothing.
		r = mustLoad(t, tg, db)
		expect(t, r, map[string]string{"rows written": "0", "new keys": "0"})
		if !strings.Contains(r.stdout, "incremental (records updated after") {
			t.Errorf("rerun did not resume from the cursor:\n%s", r.stdout)
		}
		r = mustLoad(t, tg, db, "--full")
		expect(t, r, map[string]string{"records read": "300", "unchanged": "300", "closed": "0", "rows written": "0"})

		// Mutate, then an incremental run picks up the changes and additions.
		rep := store.Mutate(11, 20, 5, 10)
		r = mustLoad(t, tg, db)
		expect(t, r, map[string]string{"records read": "30", "new keys": "10", "changed": "20", "closed": "0", "rows written": "50"})
		v = allVersions(t, tg, db)
		checkInvariants(t, v, nil)
		for _, id := range rep.Changed {
			vs := v[int64(id)]
			tk, _ := store.Ticket(id)
			if len(vs) != 2 {
				t.Fatalf("changed ticket %d has %d versions, want 2", id, len(vs))
			}
			newStart := tk.Info.LastUpdated.Time
			if !vs[0].EffectiveEndDate.V.Equal(newStart) || !vs[1].EffectiveStartDate.Equal(newStart) || vs[1].Summary != tk.Summary {
				t.Errorf("ticket %d: old version ends %v, new starts %v, want both %v", id, vs[0].EffectiveEndDate.V, vs[1].EffectiveStartDate, newStart)
			}
			if !vs[0].UpdatedAt.After(vs[0].CreatedAt) && vs[0].UpdatedAt.Equal(vs[0].CreatedAt) {
				// The rewrite must carry a later updated_at than the first write.
				t.Errorf("ticket %d: closed rewrite has updated_at %v, created_at %v", id, vs[0].UpdatedAt, vs[0].CreatedAt)
			}
		}

		// A full sweep closes exactly the deleted tickets, at the run start.
		before := time.Now().UTC().Add(-time.Second)
		r = mustLoad(t, tg, db, "--full")
		expect(t, r, map[string]string{"closed": "5", "rows written": "5", "new keys": "0", "changed": "0"})
		v = allVersions(t, tg, db)
		checkInvariants(t, v, set(rep.Deleted))
		for _, id := range rep.Deleted {
			last := v[int64(id)][len(v[int64(id)])-1]
			if last.IsCurrent || last.EffectiveEndDate.V.Before(before.Truncate(time.Second)) {
				t.Errorf("deleted ticket %d: last version %+v, want closed at the run start", id, last.SCD)
			}
		}
		// And the next run writes nothing again.
		r = mustLoad(t, tg, db, "--full")
		expect(t, r, map[string]string{"closed": "0", "rows written": "0"})
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(3, 50)
		fakeCW(t, store)
		db := wt.Database(t)
		ctx := context.Background()

		r := mustLoad(t, tg, db, "--dry-run")
		expect(t, r, map[string]string{"new keys": "50", "rows to write": "50"})
		if !strings.Contains(r.stdout, "DRY RUN") {
			t.Errorf("summary does not say dry run:\n%s", r.stdout)
		}
		if exists, err := warehouse.TableExists(ctx, tg.Engine, db, "tickets"); err != nil || exists {
			t.Fatalf("dry run created the table (%v, %v)", exists, err)
		}

		mustLoad(t, tg, db)
		rep := store.Mutate(5, 4, 2, 3)
		before := allVersions(t, tg, db)
		r = mustLoad(t, tg, db, "--dry-run", "--full")
		expect(t, r, map[string]string{"new keys": "3", "changed": "4", "closed": "2", "rows to write": "13", "rows written": "0"})
		if !strings.Contains(r.stdout, "would write closed keys: "+strconv.Itoa(rep.Deleted[0])) {
			t.Errorf("dry run does not name the keys it would close:\n%s", r.stdout)
		}
		after := allVersions(t, tg, db)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Fatal("dry run changed the table")
		}
	})
}

func TestDriftRefused(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		fakeCW(t, cwfake.NewStore(3, 20))
		db := wt.Database(t)
		mustLoad(t, tg, db)
		if err := tg.Engine.Exec(context.Background(), "ALTER TABLE `"+db+"`.tickets DROP COLUMN owner_id"); err != nil {
			t.Fatal(err)
		}
		r := load(t, tg, db)
		if r.code != 1 {
			t.Fatalf("exit %d on a drifted table, want 1\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{"column owner_id: missing", "ADD COLUMN `owner_id` Nullable(Int64) AFTER `status`", "differs from the generated schema"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
		last := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if !strings.Contains(last[len(last)-1], "error: table "+db+".tickets differs") {
			t.Errorf("last line is not the one-line reason: %q", last[len(last)-1])
		}
	})
}

// ticketJSON renders a minimal ticket record.
func ticketJSON(id int, summary, severity, lastUpdated string) string {
	sev := ""
	if severity != "" {
		sev = fmt.Sprintf(`,"severity":%q`, severity)
	}
	return fmt.Sprintf(`{"id":%d,"summary":%q%s,"_info":{"lastUpdated":%q}}`, id, summary, sev, lastUpdated)
}

func TestDuplicatesRejectsAndSameSecond(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		setPage := pageCW(t)
		db := wt.Database(t)
		wd := t.TempDir()
		t.Chdir(wd) // with --clickhouse, rejects/ goes under the working directory

		// Key 5 comes twice: the later version wins whatever the order.
		setPage(
			ticketJSON(5, "newer", "High", "2024-03-02T00:00:00Z"),
			ticketJSON(6, "six", "", "2024-03-01T00:00:00Z"),
			ticketJSON(5, "older", "Low", "2024-03-01T00:00:00Z"),
			ticketJSON(7, "bad", "Extreme", "2024-03-01T00:00:00Z"),
		)
		r := load(t, tg, db)
		if r.code != 3 {
			t.Fatalf("a run with a reject: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
		}
		expect(t, r, map[string]string{"records read": "4", "new keys": "2", "duplicates": "1", "rejected": "1", "rows written": "2"})
		v := allVersions(t, tg, db)
		if len(v[5]) != 1 || v[5][0].Summary != "newer" || wt.SeverityName(v[5][0].Severity.V) != "High" {
			t.Fatalf("key 5 = %+v, want the newer record only", v[5])
		}
		// The reject is in the reject file with its raw record and error.
		rejects, _ := filepath.Glob(filepath.Join(rejectDir(tg, wd), "rejects", db+"-tickets-*.jsonl"))
		if len(rejects) != 1 {
			t.Fatalf("reject files: %v", rejects)
		}
		f, err := os.Open(rejects[0])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		var lines []map[string]any
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, m)
		}
		if len(lines) != 1 || lines[0]["record_id"] != "7" || lines[0]["column"] != "severity" ||
			!strings.Contains(fmt.Sprint(lines[0]["error"]), "Extreme") || lines[0]["record"].(map[string]any)["summary"] != "bad" {
			t.Fatalf("reject file lines = %v", lines)
		}

		// More rejects than allowed fail the run with a one-line reason.
		r = load(t, tg, db, "--max-rejects", "0")
		if r.code != 1 || !strings.Contains(r.stderr, "more than --max-rejects 0") {
			t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
		}

		// A change that keeps the same lastUpdated second starts one second
		// after the version it closes.
		setPage(
			ticketJSON(5, "newer, edited", "High", "2024-03-02T00:00:00Z"),
			ticketJSON(6, "six", "", "2024-03-01T00:00:00Z"),
		)
		r = mustLoad(t, tg, db, "--full")
		expect(t, r, map[string]string{"changed": "1", "unchanged": "1", "closed": "0", "rows written": "2"})
		v = allVersions(t, tg, db)
		checkInvariants(t, v, nil)
		want := time.Date(2024, 3, 2, 0, 0, 1, 0, time.UTC)
		if len(v[5]) != 2 || !v[5][1].EffectiveStartDate.Equal(want) || v[5][1].Summary != "newer, edited" {
			t.Fatalf("key 5 versions = %+v, want the new one starting at %v", v[5], want)
		}
	})
}

func rejectDir(tg wt.Target, wd string) string {
	if tg.Kind == warehouse.KindEmbedded {
		return tg.DataDir
	}
	return wd
}

func TestLimitAndSinceArePartial(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(13, 120)
		fakeCW(t, store)
		db := wt.Database(t)

		r := mustLoad(t, tg, db, "--limit", "30", "--page-size", "7")
		expect(t, r, map[string]string{"records read": "30", "new keys": "30"})
		if strings.Contains(r.stdout, "cursor") {
			t.Errorf("a --limit run recorded a cursor:\n%s", r.stdout)
		}
		// --since without an earlier cursor loads what it is asked for but
		// records no cursor: the records before it were never read.
		ids := store.TicketIDs()
		tk, _ := store.Ticket(ids[len(ids)/2])
		since := tk.Info.LastUpdated.Add(-time.Second).Format(time.RFC3339)
		r = mustLoad(t, tg, db, "--since", since)
		if !strings.Contains(r.stdout, "since (records updated after "+since+")") || strings.Contains(r.stdout, "cursor") {
			t.Errorf("--since run:\n%s", r.stdout)
		}
		// The next plain run is still a first load; it finds the 30 limited
		// records and the --since ones written.
		r = mustLoad(t, tg, db)
		if !strings.Contains(r.stdout, ", initial") {
			t.Errorf("not an initial run:\n%s", r.stdout)
		}
		expect(t, r, map[string]string{"records read": "120"})
		// --full with --limit closes nothing even though most keys are unseen.
		store.Mutate(1, 0, 50, 0)
		r = mustLoad(t, tg, db, "--full", "--limit", "10")
		expect(t, r, map[string]string{"closed": "0", "rows written": "0"})
		if !strings.Contains(r.stdout, "the sweep was partial") {
			t.Errorf("partial --full not reported:\n%s", r.stdout)
		}
		checkInvariants(t, allVersions(t, tg, db), nil)
	})
}

func TestExtraCurrentVersionsRepaired(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		staticCW(t, func() string {
			return "[" + ticketJSON(1, "one", "", "2024-03-01T00:00:00Z") + "," + ticketJSON(2, "two", "", "2024-03-01T00:00:00Z") + "]"
		})
		db := wt.Database(t)
		mustLoad(t, tg, db)
		// Another writer leaves a second, older current version of key 1.
		v := allVersions(t, tg, db)
		extra := v[1][0]
		extra.EffectiveStartDate = extra.EffectiveStartDate.Add(-24 * time.Hour)
		extra.Summary = "stray"
		if err := warehouse.Insert(context.Background(), tg.Engine, db, wt.Tickets(), []wt.Row{extra}); err != nil {
			t.Fatal(err)
		}
		r := mustLoad(t, tg, db, "--full")
		expect(t, r, map[string]string{"repaired": "1", "unchanged": "2", "rows written": "1"})
		v = allVersions(t, tg, db)
		checkInvariants(t, v, nil)
		if len(v[1]) != 2 || v[1][0].Summary != "stray" || v[1][0].IsCurrent || v[1][1].Summary != "one" {
			t.Fatalf("key 1 versions: %+v", v[1])
		}
	})
}
