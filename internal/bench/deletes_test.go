package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// countingWriter counts the bytes of the responses it writes.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return w.ResponseWriter.Write(p)
}

// BenchmarkDeletes compares, on the same 100k tickets already loaded, the
// two ways to find deleted tickets: --deletes (ids only, forward-only) and
// --full (every mapped field, and every ticket's description note). Each
// op runs one of each against a cwfake server on loopback and the
// embedded engine, after 95 tickets were deleted at the source; the
// metrics are each run's seconds, response bytes and requests, and the
// ratios full/deletes (time and bytes) from the same op. Run it alone:
//
//	go test ./internal/bench -run '^$' -bench BenchmarkDeletes -benchtime 1x
func BenchmarkDeletes(b *testing.B) {
	const n = 100_000
	tg := wt.Embedded(b)
	ctx := context.Background()
	store := cwfake.NewStore(1, n)
	store.SetRenderCacheBytes(1 << 30) // every page and note of both sweeps stays rendered
	api := cwfake.New(cwfake.Config{Store: store})
	var bytes, requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		api.ServeHTTP(countingWriter{w, &bytes}, r)
	}))
	defer srv.Close()
	client, err := connectwise.New(connectwise.Config{
		BaseURL: srv.URL + cwfake.DefaultBasePath + "/", Company: cwfake.DefaultCompanyID,
		PublicKey: cwfake.DefaultPublicKey, PrivateKey: cwfake.DefaultPrivateKey, ClientID: cwfake.DefaultClientID,
	})
	if err != nil {
		b.Fatal(err)
	}
	db := wt.Database(b)
	defer dropDB(tg, db)
	opts := func(mode string) backfill.Options {
		o := loadOpts(b, db, mode == "full")
		o.Deletes = mode == "deletes"
		return o
	}
	if st, err := backfill.Load(ctx, &tickets.Table, tg.Engine, client, opts("initial"), nil); err != nil || st.NewKeys != n {
		b.Fatalf("initial load: %v, %d new keys", err, st.NewKeys)
	}
	type cost struct {
		secs, engineSecs float64 // engineSecs: in the engine's calls
		bytes, reqs      int64
		childRequests    int64
	}
	measure := func(mode string, wantClosed int64) cost {
		bytes.Store(0)
		requests.Store(0)
		te := &timedEngine{Engine: tg.Engine}
		t0 := time.Now()
		st, err := backfill.Load(ctx, &tickets.Table, te, client, opts(mode), nil)
		c := cost{time.Since(t0).Seconds(), (te.insert + te.query + te.exec).Seconds(), bytes.Load(), requests.Load(), st.ChildRequests}
		if err != nil || st.Closed != wantClosed || st.NewKeys != 0 || st.Changed != 0 {
			b.Fatalf("%s: %v, %d closed (want %d), %d new, %d changed", mode, err, st.Closed, wantClosed, st.NewKeys, st.Changed)
		}
		return c
	}
	// Warm the fake server's render cache with the ids-only pages (the
	// initial load rendered the mapped fields' pages and the notes; renders
	// stay valid across mutations for the records they do not change): the
	// timed runs then measure the client, the loader and the engine, not
	// the fake's JSON encoding, which ConnectWise does on its own machines.
	measure("deletes", 0)
	var full, del cost
	b.ResetTimer()
	for i := range b.N {
		rep := store.Mutate(int64(100+i), 0, 95, 0) // deletes leave no trace in lastUpdated
		d := measure("deletes", int64(len(rep.Deleted)))
		f := measure("full", 0) // the deletes were closed already: --full finds nothing more
		del.secs, del.engineSecs, del.bytes, del.reqs = del.secs+d.secs, del.engineSecs+d.engineSecs, del.bytes+d.bytes, del.reqs+d.reqs
		full.secs, full.engineSecs, full.bytes, full.reqs, full.childRequests = full.secs+f.secs, full.engineSecs+f.engineSecs, full.bytes+f.bytes, full.reqs+f.reqs, full.childRequests+f.childRequests
	}
	b.StopTimer()
	ops := float64(b.N)
	b.ReportMetric(del.secs/ops, "deletes-s")
	b.ReportMetric(full.secs/ops, "full-s")
	b.ReportMetric(del.engineSecs/ops, "deletes-engine-s")
	b.ReportMetric(full.engineSecs/ops, "full-engine-s")
	b.ReportMetric(float64(del.bytes)/ops/1e6, "deletes-MB")
	b.ReportMetric(float64(full.bytes)/ops/1e6, "full-MB")
	b.ReportMetric(float64(del.reqs)/ops, "deletes-requests")
	b.ReportMetric(float64(full.reqs)/ops, "full-requests")
	b.ReportMetric(float64(full.childRequests)/ops, "full-child-requests")
	b.ReportMetric(full.secs/del.secs, "x_full_over_deletes_time")
	b.ReportMetric(float64(full.bytes)/float64(del.bytes), "x_full_over_deletes_bytes")
}
