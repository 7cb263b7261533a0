package clustertest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/testenv/chcluster"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// intHash64 is ClickHouse's SQL function intHash64 (the cluster DDL's
// sharding key: IntHash64Impl, the murmur finalizer of x xor a constant),
// for routing rows to shards in Go. A Distributed table with equal shard
// weights sends a row to shard intHash64(key) % shards (from 0).
func intHash64(x uint64) uint64 {
	x ^= 0x4CF2D2BAAE6DA887
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// benchRows maps n cwfake tickets into rows as a first load writes them.
func benchRows(tb testing.TB, n int) []tickets.Row {
	rows := make([]tickets.Row, 0, n)
	now := time.Now().UTC().Truncate(time.Second)
	for _, rec := range cwfake.NewStore(7, n).Tickets() {
		data, err := json.Marshal(rec)
		if err != nil {
			tb.Fatal(err)
		}
		var r tickets.Row
		if err := tickets.Decode(data, &r); err != nil {
			tb.Fatal(err)
		}
		r.EffectiveStartDate, r.IsCurrent, r.CreatedAt, r.UpdatedAt = r.LastUpdated, true, now, now
		rows = append(rows, r)
	}
	return rows
}

// BenchmarkClusterInsert compares, interleaved in one run, the two ways a batch of
// 5000 ticket rows can reach every replica of a 2x2 cluster, and one
// server: "distributed_sync" inserts into the Distributed table with
// insert_distributed_sync and insert_quorum 2 (what --cluster does);
// "routed_local" routes the rows in Go by intHash64(id) and inserts each
// shard's part into that shard's first replica's local table with
// insert_quorum 2, both shards in parallel; "single_server" inserts into
// one server's ReplacingMergeTree. Each iteration moves updated_at, so no
// block repeats (a replicated table drops a repeated block).
func BenchmarkClusterInsert(b *testing.B) {
	const n = 5000
	rows := benchRows(b, n)
	ctx := context.Background()
	tg := wt.Cluster(b)
	ddl, err := warehouse.ClusterDDL(tickets.Table.ClusterDDL, tg.Spec, tg.DB)
	if err != nil {
		b.Fatal(err)
	}
	if err := tg.Engine.ApplyDDL(ctx, tg.DB, ddl); err != nil {
		b.Fatal(err)
	}
	local := tickets.Table
	local.Name += table.LocalSuffix
	var shardEngines []warehouse.Engine
	for s := 1; s <= chcluster.Shards; s++ {
		n := tg.Cluster.Shard(s)[0]
		e, err := warehouse.OpenServer(ctx, n.DSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default"),
			warehouse.ClusterInsertSettings(chcluster.Replicas))
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		shardEngines = append(shardEngines, e)
	}
	srv := wt.Server(b)
	sdb := srv.Server.TempDatabase(b)
	if err := srv.Engine.ApplyDDL(ctx, sdb, tickets.Table.DDL); err != nil {
		b.Fatal(err)
	}

	stamp := time.Now().UTC().Truncate(time.Second)
	restamp := func() {
		stamp = stamp.Add(time.Second)
		for i := range rows {
			rows[i].UpdatedAt = stamp
		}
	}
	distributed := func() error { return warehouse.Insert(ctx, tg.Engine, tg.DB, &tickets.Table, rows) }
	parts := make([][]tickets.Row, chcluster.Shards)
	routed := func() error {
		for i := range parts {
			parts[i] = parts[i][:0]
		}
		for i := range rows {
			s := intHash64(uint64(rows[i].ID)) % chcluster.Shards
			parts[s] = append(parts[s], rows[i])
		}
		var wg sync.WaitGroup
		errs := make([]error, len(parts))
		for i := range parts {
			wg.Go(func() { errs[i] = warehouse.Insert(ctx, shardEngines[i], tg.DB, &local, parts[i]) })
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	single := func() error { return warehouse.Insert(ctx, srv.Engine, sdb, &tickets.Table, rows) }
	ways := []struct {
		name string
		run  func() error
		took time.Duration
	}{{"distributed_sync", distributed, 0}, {"routed_local", routed, 0}, {"single_server", single, 0}}
	iterations := 0
	for b.Loop() {
		// Interleaved, so the machine's load weighs on each way alike.
		for i := range ways {
			restamp()
			start := time.Now()
			if err := ways[i].run(); err != nil {
				b.Fatalf("%s: %v", ways[i].name, err)
			}
			ways[i].took += time.Since(start)
		}
		iterations++
	}
	for _, w := range ways {
		b.ReportMetric(float64(n*iterations)/w.took.Seconds(), w.name+"_rows/s")
	}
	b.ReportMetric(ways[0].took.Seconds()/ways[1].took.Seconds(), "routed_speedup")
	// Both cluster paths put every key on the shard the Distributed table
	// chooses: no key lives on two shards.
	checkShards(b, tg.Cluster, tg.DB)
}
