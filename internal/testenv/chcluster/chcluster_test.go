package chcluster_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/testenv/chcluster"
)

func TestMain(m *testing.M) { chcluster.Main(m) }

// TestClusterReplicatesAndShards is the cluster's contract: ON CLUSTER DDL
// reaches every node, a Distributed insert lands on one shard per key and
// is replicated to that shard's other replica, and FINAL answers through
// the Distributed table.
func TestClusterReplicatesAndShards(t *testing.T) {
	start := time.Now()
	c := chcluster.Shared(t)
	t.Logf("cluster up in %v", time.Since(start))
	db := c.TempDatabase(t)
	ctx := context.Background()
	for _, n := range c.Nodes {
		if got, err := n.Query(ctx, "SELECT value FROM system.settings WHERE name = 'distributed_ddl_task_timeout'"); err != nil || strings.TrimSpace(got) != "60" {
			t.Errorf("%s: distributed_ddl_task_timeout = %q %v, want 60 from users.d", n.Name(), got, err)
		}
	}
	q := func(n interface {
		Query(context.Context, string) (string, error)
	}, s string) string {
		t.Helper()
		out, err := n.Query(ctx, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return strings.TrimSpace(out)
	}
	q(c, "CREATE TABLE "+db+".t_local ON CLUSTER "+c.Name+" (id Int64, v String, u DateTime) "+
		"ENGINE = ReplicatedReplacingMergeTree('"+chcluster.ZooKeeperPrefix+"/{shard}/"+db+"/t', '{replica}', u) ORDER BY id")
	q(c, "CREATE TABLE "+db+".t ON CLUSTER "+c.Name+" AS "+db+".t_local ENGINE = Distributed("+c.Name+", "+db+", t_local, intHash64(id))")
	// Settings after INSERT ... SELECT belong to the SELECT; the insert's
	// own settings go with the request.
	insert := func(s string) {
		t.Helper()
		u := "http://" + c.Nodes[0].HTTPAddr + "/?insert_distributed_sync=1&insert_quorum=2"
		resp, err := http.Post(u, "text/plain", strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s %s", s, resp.Status, body)
		}
	}
	insert("INSERT INTO " + db + ".t SELECT number, 'a', toDateTime(1) FROM system.numbers LIMIT 1000")
	insert("INSERT INTO " + db + ".t SELECT number, 'b', toDateTime(2) FROM system.numbers LIMIT 500")
	if got := q(c, "SELECT count(), countIf(v = 'b') FROM "+db+".t FINAL"); got != "1000\t500" {
		t.Errorf("FINAL through Distributed = %q, want 1000 keys, 500 rewritten", got)
	}
	total := 0
	for s := 1; s <= chcluster.Shards; s++ {
		nodes := c.Shard(s)
		a, b := q(nodes[0], "SELECT count() FROM "+db+".t_local"), q(nodes[1], "SELECT count() FROM "+db+".t_local")
		if a != b || a == "0" {
			t.Errorf("shard %d: replicas hold %s and %s rows", s, a, b)
		}
		n := 0
		for _, ch := range a {
			n = n*10 + int(ch-'0')
		}
		total += n
	}
	if total != 1500 {
		t.Errorf("rows over both shards = %d, want 1500 (each insert once, on one shard)", total)
	}
}
