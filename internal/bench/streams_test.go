package bench

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// BenchmarkStreams models the live API's limit: every page takes 1 s
// (cwfake SlowPage), 1000 records a page. Parallel id-range streams
// (backfill --streams) must reach at least 80% of streams x 1000
// records/s while the client stays under its requests-per-minute budget
// (--rpm). One op = one complete load of CANONIC_BENCH_STREAMS_N tickets
// (default 40000) with 4 streams and a budget of 600 requests a minute,
// of the ticket's own columns: with descriptions every new ticket costs a
// notes request too, and 40,000 of them take over an hour at that budget
// (the loader paces them with the pages; BenchmarkEndToEnd measures them).
//
// Reported: rec/s, x_of_ideal (rec/s over streams x 1000, target >= 0.8),
// rpm_observed (requests the server saw, per minute of the run, must stay
// <= rpm_budget).
func BenchmarkStreams(b *testing.B) {
	tg := wt.Embedded(b)
	n := 40000
	if v, err := strconv.Atoi(os.Getenv("CANONIC_BENCH_STREAMS_N")); err == nil && v > 0 {
		n = v
	}
	const streams, budget = 4, 600
	store := cwfake.NewStore(3, n)
	// Warm the store's render cache through a fast twin server: the fake's
	// JSON encoding would otherwise compete with the loader for this
	// machine's two cores, which a real ConnectWise does not.
	warm := httptest.NewServer(cwfake.New(cwfake.Config{Store: store}))
	wc, err := connectwise.New(connectwise.Config{
		BaseURL: warm.URL + cwfake.DefaultBasePath + "/", Company: cwfake.DefaultCompanyID,
		PublicKey: cwfake.DefaultPublicKey, PrivateKey: cwfake.DefaultPrivateKey, ClientID: cwfake.DefaultClientID,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := wc.Pages(context.Background(), tickets.Table.Endpoint,
		connectwise.Query{PageSize: connectwise.MaxPageSize, ForwardOnly: true, Fields: tickets.Table.SourceFields},
		func(connectwise.Page) error { return nil }); err != nil {
		b.Fatal(err)
	}
	warm.Close()
	srv := cwfake.New(cwfake.Config{Store: store, SlowPage: time.Second})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client, err := connectwise.New(connectwise.Config{
		BaseURL: hs.URL + cwfake.DefaultBasePath + "/", Company: cwfake.DefaultCompanyID,
		PublicKey: cwfake.DefaultPublicKey, PrivateKey: cwfake.DefaultPrivateKey, ClientID: cwfake.DefaultClientID,
		RequestsPerMinute: budget,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var elapsed time.Duration
	var requests int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := wt.Database(b)
		srv.ResetStats()
		opts := loadOpts(b, db, false)
		opts.Streams = streams
		b.StartTimer()
		t0 := time.Now()
		st, err := backfill.Load(ctx, ownColumns(), tg.Engine, client, opts, nil)
		elapsed += time.Since(t0)
		b.StopTimer()
		if err != nil || st.NewKeys != int64(n) || st.Streams != streams {
			b.Fatalf("load: %v, %d new keys, %d streams", err, st.NewKeys, st.Streams)
		}
		requests += int64(srv.Stats().Requests)
		dropDB(tg, db)
		b.StartTimer()
	}
	rate := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "rec/s")
	b.ReportMetric(rate/(streams*1000), "x_of_ideal")
	b.ReportMetric(float64(requests)/elapsed.Minutes(), "rpm_observed")
	b.ReportMetric(budget, "rpm_budget")
}
