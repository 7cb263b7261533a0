package backfill_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// stoppingSource closes stop once it has delivered its after-th page, as
// a signal arriving mid-sweep would.
type stoppingSource struct {
	backfill.Source
	after int
	stop  chan struct{}
	pages int
}

func (s *stoppingSource) Pages(ctx context.Context, ep string, q connectwise.Query, fn func(connectwise.Page) error) error {
	return s.Source.Pages(ctx, ep, q, func(p connectwise.Page) error {
		if s.pages++; s.pages == s.after {
			close(s.stop)
		}
		return fn(p)
	})
}

// TestStopAtCheckpointThenResume: a load told to stop mid-sweep writes
// what it mapped and records a checkpoint; loads that resume it (each cut
// again, then one to the end) leave the table a one-shot load leaves,
// under one run id. A --full sweep cut into chunks closes the deleted keys
// only in the chunk that completes it.
func TestStopAtCheckpointThenResume(t *testing.T) {
	wt.Both(t, func(t *testing.T, tg wt.Target) {
		store := cwfake.NewStore(31, 600)
		client := fakeClient(t, store)
		ctx := context.Background()
		db := wt.Database(t)
		opts := backfill.Options{Database: db, Tenant: db, PageSize: 50, BatchRows: 40, RejectDir: t.TempDir(), Resume: true}
		// load runs one chunk, stopped after stopAfter pages (0: never).
		load := func(o backfill.Options, stopAfter int) backfill.Stats {
			t.Helper()
			src := &stoppingSource{Source: client, after: stopAfter, stop: make(chan struct{})}
			o.Stop = src.stop
			st, err := backfill.Load(ctx, wt.Tickets(), tg.Engine, src, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		chunks := func(o backfill.Options, stops ...int) []backfill.Stats {
			t.Helper()
			var out []backfill.Stats
			for _, after := range stops {
				st := load(o, after)
				out = append(out, st)
				if st.Cut != (after > 0) || st.Complete == st.Cut {
					t.Fatalf("chunk %d (stop after page %d): cut %v complete %v", len(out), after, st.Cut, st.Complete)
				}
				if len(out) > 1 && (st.RunID != out[0].RunID || st.ResumedFrom != out[len(out)-2].Checkpoint) {
					t.Fatalf("chunk %d: run %s from %d; want run %s from %d", len(out), st.RunID, st.ResumedFrom, out[0].RunID, out[len(out)-2].Checkpoint)
				}
			}
			return out
		}

		var news int64
		for _, st := range chunks(opts, 3, 4, 0) {
			news += st.NewKeys
		}
		ref := wt.Database(t)
		refOpts := opts
		refOpts.Database, refOpts.Resume = ref, false
		if st, err := backfill.Load(ctx, wt.Tickets(), tg.Engine, client, refOpts, nil); err != nil || st.NewKeys != 600 {
			t.Fatalf("one-shot load: %v, %d new keys", err, st.NewKeys)
		}
		if news != 600 {
			t.Errorf("chunks wrote %d new keys, want 600", news)
		}
		if got, want := fingerprint(t, tg, db), fingerprint(t, tg, ref); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("chunked load %v, one-shot %v", got, want)
		}

		rep := store.Mutate(8, 20, 15, 5)
		full := opts
		full.Full = true
		sts := chunks(full, 2, 5, 0)
		for i, st := range sts[:len(sts)-1] {
			if st.Closed != 0 {
				t.Errorf("cut chunk %d closed %d keys", i+1, st.Closed)
			}
		}
		if last := sts[len(sts)-1]; last.Closed != 15 {
			t.Errorf("the completing chunk closed %d keys, want 15", last.Closed)
		}
		checkInvariants(t, allVersions(t, tg, db), set(rep.Deleted))
	})
}

// TestStaleCheckpointIsNotResumed: a checkpoint older than a day belongs
// to an abandoned run; the next run starts a new sweep from the start.
func TestStaleCheckpointIsNotResumed(t *testing.T) {
	tg := wt.Server(t)
	store := cwfake.NewStore(32, 200)
	client := fakeClient(t, store)
	db := wt.Database(t)
	opts := backfill.Options{Database: db, Tenant: db, PageSize: 50, BatchRows: 40, RejectDir: t.TempDir(), Resume: true}
	src := &stoppingSource{Source: client, after: 2, stop: make(chan struct{})}
	cut := opts
	cut.Stop = src.stop
	first, err := backfill.Load(context.Background(), wt.Tickets(), tg.Engine, src, cut, nil)
	if err != nil || !first.Cut {
		t.Fatalf("first run: %v, cut %v", err, first.Cut)
	}
	later := opts
	later.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	st, err := backfill.Load(context.Background(), wt.Tickets(), tg.Engine, client, later, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.ResumedFrom != 0 || st.RunID == first.RunID || st.RecordsRead != 200 || st.NewKeys+first.NewKeys != 200 {
		t.Errorf("a day later: run %s resumed from %d, read %d, new %d; want a new run reading all 200 (%d new)",
			st.RunID, st.ResumedFrom, st.RecordsRead, st.NewKeys, 200-first.NewKeys)
	}
}
