package clustertest

import (
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
	v1 "github.com/canonic-data/canonic/internal/evolvetest/v1/generated/connectwise/tickets"
	v2 "github.com/canonic-data/canonic/internal/evolvetest/v2/generated/connectwise/tickets"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// TestClusterMigration loads the v1 tickets table into the cluster, then
// runs v2 (an added column, reworded comments): without --migrate it
// refuses naming the migration; with it, every node's local and
// Distributed table gets the column (the preflight compares each node),
// the current versions are re-baselined, and the result equals the same
// steps on one server.
func TestClusterMigration(t *testing.T) {
	const n = 300
	tg := wt.Cluster(t)
	srv := wt.Server(t)
	sdb := srv.Server.TempDatabase(t)
	store := cwfake.NewStore(11, n)
	source(t, store, 0)

	if r := onCluster(t, tg, &v1.Table, tg.DB); r.code != 0 {
		t.Fatalf("v1 load: %s", r)
	}
	if r := onServer(t, srv, &v1.Table, sdb); r.code != 0 {
		t.Fatalf("v1 load on the server: %s", r)
	}
	r := onCluster(t, tg, &v2.Table, tg.DB)
	if r.code != 1 || !strings.Contains(r.err, v2.Table.Migrations[1].Name) || !strings.Contains(r.err, "--migrate") {
		t.Fatalf("v2 without --migrate must refuse naming %s:\n%s", v2.Table.Migrations[1].Name, r)
	}
	r = onCluster(t, tg, &v2.Table, tg.DB, "--migrate")
	if r.code != 0 {
		t.Fatalf("v2 --migrate: %s", r)
	}
	r.expect(t, map[string]int{"rebaselined": n, "changed": 0, "new keys": 0})
	if s := onServer(t, srv, &v2.Table, sdb, "--migrate"); s.code != 0 {
		t.Fatalf("v2 --migrate on the server: %s", s)
	}
	for _, node := range tg.Cluster.Nodes {
		for _, tbl := range []string{"tickets_local", "tickets"} {
			got := strings.TrimSpace(query(t, node, "SELECT type FROM system.columns WHERE database = '"+tg.DB+"' AND table = '"+tbl+"' AND name = 'priority'"))
			if got != "Nullable(String)" {
				t.Errorf("%s: %s.priority has type %q after the migration", node.Name(), tbl, got)
			}
		}
		if got := strings.TrimSpace(query(t, node, "SELECT comment FROM system.columns WHERE database = '"+tg.DB+"' AND table = 'tickets' AND name = 'summary'")); got != "One-line summary of the ticket." {
			t.Errorf("%s: the Distributed table's summary comment is %q", node.Name(), got)
		}
	}
	q := "SELECT id, effective_start_date, is_current, record_hash, priority FROM (SELECT * FROM `DB`.tickets FINAL) ORDER BY id, effective_start_date"
	if got, want := query(t, tg.Cluster, strings.ReplaceAll(q, "DB", tg.DB)), query(t, srv.Server, strings.ReplaceAll(q, "DB", sdb)); got != want {
		t.Fatalf("after the migration the cluster differs from the single server")
	}
	checkShards(t, tg.Cluster, tg.DB)
	if r := onCluster(t, tg, &v2.Table, tg.DB, "--full"); r.code != 0 || r.summary(t, "rows written") != "0" {
		t.Errorf("a rerun after the migration must write nothing: %s", r)
	}
}
