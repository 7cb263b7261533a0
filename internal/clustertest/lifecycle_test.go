package clustertest

import (
	"strings"
	"testing"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestClusterLifecycle loads 5000 tickets into the cluster and, from the
// same source, into one server, then runs both through a rerun, a --full
// rerun, changes and additions, and a --full sweep after deletes. After
// every step the cluster's Distributed table (FINAL) equals the single
// server's table, the current view has the source's keys, both replicas of
// each shard hold the same rows and no key lives on two shards. Last,
// --verify finds nothing, then the key given a second current version.
func TestClusterLifecycle(t *testing.T) {
	const n = 5000
	tg := wt.Cluster(t)
	srv := wt.Server(t)
	sdb := srv.Server.TempDatabase(t)
	store := cwfake.NewStore(7, n)
	source(t, store, 0)
	both := func(args ...string) (result, result) {
		t.Helper()
		c := onCluster(t, tg, &tickets.Table, tg.DB, args...)
		if c.code != 0 {
			t.Fatalf("cluster run %v: %s", args, c)
		}
		s := onServer(t, srv, &tickets.Table, sdb, args...)
		if s.code != 0 {
			t.Fatalf("server run %v: %s", args, s)
		}
		sameAsServer(t, tg.Cluster, tg.DB, srv, sdb, store)
		checkShards(t, tg.Cluster, tg.DB)
		return c, s
	}

	c, s := both()
	c.expect(t, map[string]int{"records read": n, "new keys": n, "rows written": n})
	s.expect(t, map[string]int{"records read": n, "new keys": n, "rows written": n})
	t.Logf("RATE first load of %d tickets, in-process from the loopback compatible server: cluster (2x2, distributed sync inserts, quorum 2) %.0f rows/s (%v, summary %s); single server %.0f rows/s (%v, summary %s)",
		n, n/c.wall.Seconds(), c.wall.Round(1e6), c.summary(t, "time taken"), n/s.wall.Seconds(), s.wall.Round(1e6), s.summary(t, "time taken"))
	shards := checkShards(t, tg.Cluster, tg.DB)
	if shards[0] == 0 || shards[1] == 0 {
		t.Errorf("rows per shard %v: the sharding key put everything on one shard", shards)
	}
	t.Logf("rows per shard after the first load: %v", shards)
	for _, q := range []struct{ what, sql string }{
		{"cluster, one replica of shard 1", "SELECT sum(bytes_on_disk), sum(rows) FROM system.parts WHERE active AND database = '" + tg.DB + "' AND table = 'tickets_local'"},
	} {
		t.Logf("BYTES %s: bytes on disk, rows: %s", q.what, strings.TrimSpace(query(t, tg.Cluster.Nodes[0], q.sql)))
	}
	t.Logf("BYTES single server: bytes on disk, rows: %s", strings.TrimSpace(query(t, srv.Server,
		"SELECT sum(bytes_on_disk), sum(rows) FROM system.parts WHERE active AND database = '"+sdb+"' AND table = 'tickets'")))

	c, s = both()
	c.expect(t, map[string]int{"new keys": 0, "changed": 0, "closed": 0, "rows written": 0})
	t.Logf("RATE incremental rerun with nothing new: cluster %v, single server %v (the cluster's includes its ON CLUSTER IF NOT EXISTS statements and pinging and checking every node)",
		c.wall.Round(1e6), s.wall.Round(1e6))
	c, _ = both("--full")
	c.expect(t, map[string]int{"records read": n, "unchanged": n, "rows written": 0})

	store.Mutate(11, 200, 0, 50)
	c, s = both()
	if c.summary(t, "rows written") != s.summary(t, "rows written") || c.summary(t, "changed") != s.summary(t, "changed") {
		t.Errorf("after changes the cluster wrote %s rows (%s changed), the single server %s (%s)",
			c.summary(t, "rows written"), c.summary(t, "changed"), s.summary(t, "rows written"), s.summary(t, "changed"))
	}
	c.expect(t, map[string]int{"new keys": 50})

	store.Mutate(13, 0, 100, 0)
	if d := onCluster(t, tg, &tickets.Table, tg.DB, "--full", "--dry-run"); d.code != 0 {
		t.Fatalf("dry run: %s", d)
	} else {
		d.expect(t, map[string]int{"closed": 100, "rows written": 0})
	}
	c, _ = both("--full")
	c.expect(t, map[string]int{"records read": n + 50 - 100, "closed": 100, "rows written": 100})
	c, _ = both("--full")
	c.expect(t, map[string]int{"closed": 0, "rows written": 0})

	// --verify reads the cluster through its Distributed table: no
	// violation, then one once a key has two current versions.
	if v := onCluster(t, tg, &tickets.Table, tg.DB, "--verify"); v.code != 0 || !strings.Contains(v.out, "no violation") {
		t.Fatalf("--verify on the cluster: %s", v)
	}
	cols := strings.Join(tickets.Columns, ", ")
	second := strings.Replace(cols, "effective_start_date", "effective_start_date + 1", 1)
	// Into the first node's shard, on that node (the DSN's: its local
	// replica is the one the Distributed table reads), so the row is there
	// when the INSERT returns.
	local := "`" + tg.DB + "`.tickets_local"
	query(t, tg.Cluster.Nodes[0], "INSERT INTO "+local+" ("+cols+") SELECT "+second+" FROM (SELECT * FROM "+local+
		" FINAL) WHERE is_current = 1 AND id = (SELECT min(id) FROM "+local+")")
	if v := onCluster(t, tg, &tickets.Table, tg.DB, "--verify"); v.code != 1 || !strings.Contains(v.out, "violation:") {
		t.Fatalf("--verify on the cluster with a key of two current versions: %s", v)
	}
}
