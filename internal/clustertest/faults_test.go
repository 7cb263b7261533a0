package clustertest

import (
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestClusterShardDown stops both replicas of shard 2: the run fails in
// one line naming shard 2 before it creates or writes anything.
func TestClusterShardDown(t *testing.T) {
	tg := wt.Cluster(t)
	source(t, cwfake.NewStore(3, 200), 0)
	for _, n := range tg.Cluster.Shard(2) {
		if err := n.Kill(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if err := tg.Cluster.RestoreAll(); err != nil {
			t.Error(err)
		}
	})
	r := onCluster(t, tg, &tickets.Table, tg.DB)
	if r.code != 1 || len(errorLines(r.err)) != 1 || !strings.Contains(r.err, "error: shard 2 is down: none of its replicas (127.0.0.1:") {
		t.Fatalf("want exit 1 and one line naming shard 2:\n%s", r)
	}
	for _, n := range tg.Cluster.Shard(1) {
		for _, name := range []string{"tickets", "tickets_local", "_canonic_runs"} {
			if tableExists(t, n, tg.DB, name) {
				t.Errorf("%s: the failed run created %s", n.Name(), name)
			}
		}
	}
}

// TestClusterReplicaKilledMidLoad kills shard 2's second replica while a
// load runs (slow pages, small INSERTs): the run either completes or fails
// with one line. With the replica back, the rerun converges to what a
// clean load gives (the single server's table from the same source), and
// the restarted replica holds the same rows as its peer.
func TestClusterReplicaKilledMidLoad(t *testing.T) {
	const n = 3000
	tg := wt.Cluster(t)
	srv := wt.Server(t)
	sdb := srv.Server.TempDatabase(t)
	store := cwfake.NewStore(5, n)
	source(t, store, 100*time.Millisecond)
	t.Cleanup(func() {
		if err := tg.Cluster.RestoreAll(); err != nil {
			t.Error(err)
		}
	})

	victim := tg.Cluster.Shard(2)[1]
	done := make(chan result, 1)
	go func() { done <- onCluster(t, tg, &tickets.Table, tg.DB, "--page-size", "100", "--batch-rows", "100") }()
	// The load may wait up to a minute for replicas the previous test
	// restarted to become active before it writes (replicasActiveWait).
	deadline := time.Now().Add(4 * time.Minute)
	for {
		if tableExists(t, tg.Cluster.Nodes[0], tg.DB, "tickets") &&
			strings.TrimSpace(query(t, tg.Cluster.Nodes[0], "SELECT count() FROM `"+tg.DB+"`.tickets")) != "0" {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the load ended before a row arrived: %s", r)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no row arrived within 4 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := victim.Kill(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	t.Logf("the first run ended after %v", r.wall.Round(1e6))
	switch {
	case r.code == 0:
		t.Logf("the load completed with %s down: %s", victim.Name(), r.summary(t, "rows written"))
	case r.code == 1 && len(errorLines(r.err)) == 1:
		t.Logf("the load failed in one line with %s down: %s", victim.Name(), errorLines(r.err)[0])
	default:
		t.Fatalf("with %s killed mid-load, want success or one error line:\n%s", victim.Name(), r)
	}

	if r := onCluster(t, tg, &tickets.Table, tg.DB); r.code != 1 || !strings.Contains(r.err, "shard 2 replica 2") {
		t.Errorf("a run with the replica still down must refuse naming it:\n%s", r)
	}
	if err := victim.Up(); err != nil {
		t.Fatal(err)
	}
	if r := onCluster(t, tg, &tickets.Table, tg.DB, "--full"); r.code != 0 {
		t.Fatalf("rerun with the replica back: %s", r)
	} else {
		t.Logf("the rerun with the replica back took %v", r.wall.Round(1e6))
	}
	if r := onServer(t, srv, &tickets.Table, sdb, "--full"); r.code != 0 {
		t.Fatalf("clean load on the single server: %s", r)
	}
	sameAsServer(t, tg.Cluster, tg.DB, srv, sdb, store)
	checkShards(t, tg.Cluster, tg.DB) // the restarted replica caught up
	if r := onCluster(t, tg, &tickets.Table, tg.DB, "--full"); r.code != 0 || r.summary(t, "rows written") != "0" {
		t.Errorf("a second rerun must write nothing: %s", r)
	}
}

// errorLines is stderr without the progress log lines ("time=...").
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "time=") {
			out = append(out, l)
		}
	}
	return out
}
