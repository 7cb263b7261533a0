package backfill_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/bench"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// notesEndpoint is the compatible server's stats label of notes requests.
const notesEndpoint = "GET " + cwfake.NotesPath

// TestDescriptionsAndDeletes loads 5000 tickets with their descriptions
// (ticket notes, a child endpoint) on both engines: a failing child
// request rejects only its ticket; descriptions equal the source's detail
// notes; a rerun makes no child request and writes nothing; --deletes
// after 95 tickets are deleted closes exactly those and writes nothing
// else; a note edited without its ticket changing opens exactly one
// version at --full.
func TestDescriptionsAndDeletes(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		const n = 5000
		store := cwfake.NewStore(11, n)
		api := cwfake.New(cwfake.Config{Store: store, CompanyID: company, PublicKey: publicKey, PrivateKey: privateKey})
		ids := store.TicketIDs()
		failing := ids[1234]
		var fail atomic.Bool
		fail.Store(true)
		failPath := cwfake.DefaultBasePath + "/service/tickets/" + strconv.Itoa(failing) + "/notes"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fail.Load() && r.URL.Path == failPath {
				http.Error(w, `{"code":"NotFound","message":"injected"}`, http.StatusNotFound)
				return
			}
			api.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		setCWEnv(t, srv.URL+cwfake.DefaultBasePath+"/")
		db := wt.Database(t)
		dataDir := t.TempDir()
		// runCode runs the binary's entry point and wants exit status code
		// (3: loaded with rejects).
		runCode := func(code int, args ...string) result {
			t.Helper()
			all := []string{"--tenant", db, "--batch-rows", "2000"}
			if tg.Kind == warehouse.KindServer {
				all = append(all, "--clickhouse", tg.DSN)
			} else {
				all = append(all, "--data-dir", tg.DataDir)
			}
			var out, errb bytes.Buffer
			t.Chdir(dataDir) // rejects/ goes under the working directory with --clickhouse
			if got := backfill.Main(&tickets.Table, append(all, args...), &out, &errb); got != code {
				t.Fatalf("exit %d, want %d\n%s\n%s", got, code, out.String(), errb.String())
			}
			return result{stdout: out.String(), stderr: errb.String()}
		}
		run := func(args ...string) result { t.Helper(); return runCode(0, args...) }
		notesRequests := func() int64 { return api.Stats().Endpoints[notesEndpoint] }

		// A failing child request rejects its ticket only.
		r := runCode(3)
		expect(t, r, map[string]string{"new keys": fmt.Sprint(n - 1), "rejected": "1", "child requests": fmt.Sprint(n)})
		if !strings.Contains(r.stdout+r.stderr, "record "+strconv.Itoa(failing)+": column description") {
			t.Errorf("the reject does not name ticket %d and the column:\n%s", failing, r.stdout)
		}
		runID := regexp.MustCompile(`, run (\S+),`).FindStringSubmatch(r.stdout)
		if runID == nil {
			t.Fatalf("no run id in the summary:\n%s", r.stdout)
		}
		var rejects []string // this run's: the embedded data directory is shared
		for _, l := range rejectLines(t, tg, dataDir) {
			if strings.Contains(l, `"run_id":"`+runID[1]+`"`) {
				rejects = append(rejects, l)
			}
		}
		if len(rejects) != 1 || !strings.Contains(rejects[0], `"record_id":"`+strconv.Itoa(failing)+`"`) {
			t.Errorf("rejects file: %q, want one line for ticket %d", rejects, failing)
		}

		// The next run loads it; only its children are requested.
		fail.Store(false)
		r = run()
		expect(t, r, map[string]string{"new keys": "1", "unchanged": fmt.Sprint(n - 1), "rejected": "0", "child requests": "1"})
		checkDescriptions(t, tg.Engine, db, store)

		// A rerun requests no child and writes nothing.
		before := notesRequests()
		r = run()
		expect(t, r, map[string]string{"rows written": "0", "child requests": "0"})
		if got := notesRequests() - before; got != 0 {
			t.Errorf("rerun: the server answered %d notes requests, want 0", got)
		}

		// --deletes (the first closing run of this table) closes exactly the
		// deleted tickets and loads nothing.
		rep := store.Mutate(17, 0, 95, 0)
		before = notesRequests()
		r = run("--deletes")
		expect(t, r, map[string]string{"closed": "95", "rows written": "95", "new keys": "0", "changed": "0", "child requests": "0"})
		if got := notesRequests() - before; got != 0 {
			t.Errorf("--deletes: %d notes requests, want 0", got)
		}
		var current []int
		for _, row := range queryInt64s(t, tg.Engine, "SELECT id FROM `"+db+"`.tickets_current ORDER BY id", 1) {
			current = append(current, int(row[0]))
		}
		if !slices.Equal(current, store.TicketIDs()) {
			t.Errorf("after --deletes: %d current tickets, want the source's %d", len(current), len(store.TicketIDs()))
		}
		for _, id := range rep.Deleted {
			if slices.Contains(current, id) {
				t.Errorf("deleted ticket %d is still current", id)
			}
		}
		r = run("--deletes")
		expect(t, r, map[string]string{"closed": "0", "rows written": "0"})

		// A note edited without its ticket changing: seen by --full only.
		edited := store.EditNotes(3, 1)[0]
		r = run()
		expect(t, r, map[string]string{"rows written": "0", "child requests": "0"})
		r = run("--full")
		expect(t, r, map[string]string{"changed": "1", "rows written": "2", "child requests": fmt.Sprint(len(store.TicketIDs())), "closed": "0"})
		if v := queryInt64s(t, tg.Engine, fmt.Sprintf("SELECT toInt64(count()) FROM `%s`.tickets FINAL WHERE id = %d", db, edited), 1)[0][0]; v != 2 {
			t.Errorf("ticket %d has %d versions after its note was edited, want 2", edited, v)
		}
		checkDescriptions(t, tg.Engine, db, store)
	})
}

// checkDescriptions compares every current description with the source's
// detail note: the same text, or NULL when the ticket has none.
func checkDescriptions(t *testing.T, e warehouse.Engine, db string, store *cwfake.Store) {
	t.Helper()
	got := map[int]*string{}
	var rd rowbinary.Reader
	err := e.Query(context.Background(), "SELECT id, description FROM `"+db+"`.tickets_current", func(src []byte) (int, error) {
		rd.Reset(src)
		id := int(rd.Int64())
		var s *string
		if !rd.Null() {
			v := rd.String()
			s = &v
		}
		got[id] = s
		return rd.Offset(), rd.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := store.TicketIDs()
	if len(got) != len(ids) {
		t.Fatalf("%d current tickets, want %d", len(got), len(ids))
	}
	var none, bad int
	for _, id := range ids {
		want, ok := store.DetailDescription(id)
		g := got[id]
		switch {
		case !ok && g != nil:
			bad++
			t.Errorf("ticket %d has no description note, description %.40q", id, *g)
		case ok && (g == nil || *g != want):
			bad++
			t.Errorf("ticket %d: description %v, want %.60q", id, g, want)
		case !ok:
			none++
		}
		if bad > 5 {
			t.FailNow()
		}
	}
	if none == 0 || none == len(ids) {
		t.Errorf("%d of %d tickets have no description: the corpus should have some", none, len(ids))
	}
}

// rejectLines reads the reject files written under dir (or the embedded
// engine's data directory).
func rejectLines(t *testing.T, tg wt.Target, dir string) []string {
	t.Helper()
	var lines []string
	for _, d := range []string{dir, tg.DataDir} {
		if d == "" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(d, "rejects", "*.jsonl"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strings.Split(strings.TrimSpace(string(b)), "\n")...)
		}
	}
	return lines
}

// TestDescriptionRebaseline: a table loaded before description had a child
// source (always NULL, an older hash definition) re-baselines when it gets
// one: every current version with a description note is rewritten in
// place with it, no version is opened, and the next run writes nothing.
func TestDescriptionRebaseline(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		const n = 300
		store := cwfake.NewStore(4, n)
		src := bench.NewMemorySource(store, 100)
		db := wt.Database(t)
		opts := backfill.Options{Database: db, Tenant: db, PageSize: 100, BatchRows: 120, MaxRejects: 10, RejectDir: t.TempDir()}
		before := tickets.Table // the table as generated before description read notes
		before.Children, before.Rehash, before.HashDefinition = nil, nil, "v1:before-description"
		st, err := backfill.Load(context.Background(), &before, tg.Engine, src, opts, nil)
		if err != nil || st.NewKeys != n || st.ChildRequests != 0 {
			t.Fatalf("load without descriptions: %v, %d new, %d child requests", err, st.NewKeys, st.ChildRequests)
		}
		described := 0
		for _, id := range store.TicketIDs() {
			if _, ok := store.DetailDescription(id); ok {
				described++
			}
		}
		st, err = backfill.Load(context.Background(), &tickets.Table, tg.Engine, src, opts, nil)
		if err != nil || st.Mode != backfill.ModeRebaseline || st.Rebaselined != int64(described) || st.Changed != 0 || st.NewKeys != 0 || st.ChildRequests != n {
			t.Fatalf("re-baseline: %v, mode %s, %d rebaselined (want %d), %d changed, %d new, %d child requests", err, st.Mode, st.Rebaselined, described, st.Changed, st.NewKeys, st.ChildRequests)
		}
		if v := queryInt64s(t, tg.Engine, "SELECT toInt64(count()) FROM `"+db+"`.tickets FINAL", 1)[0][0]; v != n {
			t.Errorf("%d version rows after the re-baseline, want %d (one per ticket)", v, n)
		}
		checkDescriptions(t, tg.Engine, db, store)
		st, err = backfill.Load(context.Background(), &tickets.Table, tg.Engine, src, opts, nil)
		if err != nil || st.RowsWritten != 0 || st.Mode == backfill.ModeRebaseline {
			t.Fatalf("after the re-baseline: %v, mode %s, %d rows written", err, st.Mode, st.RowsWritten)
		}
	})
}
