package clustertest

import (
	"bytes"
	"context"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/testenv/chcluster"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

const (
	company    = "cluster"
	publicKey  = "cluster-public"
	privateKey = "cluster-private-key"
)

// source serves store like ConnectWise and points the backfill's
// environment at it.
func source(t *testing.T, store *cwfake.Store, slowPage time.Duration) {
	t.Helper()
	srv := httptest.NewServer(cwfake.New(cwfake.Config{Store: store, CompanyID: company, PublicKey: publicKey, PrivateKey: privateKey, SlowPage: slowPage}))
	t.Cleanup(srv.Close)
	t.Setenv(connectwise.EnvURL, srv.URL+cwfake.DefaultBasePath+"/")
	t.Setenv(connectwise.EnvCompany, company)
	t.Setenv(connectwise.EnvPublicKey, publicKey)
	t.Setenv(connectwise.EnvPrivateKey, privateKey)
	t.Setenv(connectwise.EnvClientID, cwfake.DefaultClientID)
	t.Setenv(backfill.EnvClickHouseDSN, "")
	t.Setenv(backfill.EnvClickHouseCluster, "")
	t.Setenv(backfill.EnvClickHouseZKPrefix, "")
}

// result is one run of a backfill entry point.
type result struct {
	out, err string
	code     int
	wall     time.Duration
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout:\n" + r.out + "--- stderr:\n" + r.err
}

// summary returns the first field of a summary line ("rows written").
func (r result) summary(t *testing.T, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(key) + ` +(\S+)`).FindStringSubmatch(r.out)
	if m == nil {
		t.Fatalf("summary has no %q:\n%s", key, r)
	}
	return m[1]
}

// expect checks summary values.
func (r result) expect(t *testing.T, want map[string]int) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got := r.summary(t, k); got != strconv.Itoa(want[k]) {
			t.Errorf("%s = %s, want %d\n%s", k, got, want[k], r)
		}
	}
}

// onCluster runs tbl's backfill into the cluster through its first node.
func onCluster[R any](t *testing.T, tg wt.ClusterTarget, tbl *table.Table[R], db string, args ...string) result {
	t.Helper()
	return runMain(tbl, append([]string{"--tenant", db, "--clickhouse", tg.DSN, "--cluster", tg.Spec.Name, "--zk-prefix", tg.Spec.ZooKeeperPrefix}, args...))
}

// onServer runs tbl's backfill into the single shared server.
func onServer[R any](t *testing.T, tg wt.Target, tbl *table.Table[R], db string, args ...string) result {
	t.Helper()
	return runMain(tbl, append([]string{"--tenant", db, "--clickhouse", tg.DSN}, args...))
}

func runMain[R any](tbl *table.Table[R], args []string) result {
	var out, errb bytes.Buffer
	start := time.Now()
	code := backfill.Main(tbl, args, &out, &errb)
	return result{out: out.String(), err: errb.String(), code: code, wall: time.Since(start)}
}

// query runs q over HTTP and returns its TabSeparated result.
func query(t testing.TB, n interface {
	Query(context.Context, string) (string, error)
}, q string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := n.Query(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// versionsQuery reads every version of db.tickets with FINAL, in order:
// the columns that do not depend on when a run ran (created_at, updated_at
// and a deleted key's effective_end_date, the run's start, do). FINAL
// reads every column in a subquery: 18.16 fails a FINAL through a
// Distributed table that selects some columns without the sorting key and
// version ("Cannot find column ... in source stream").
func versionsQuery(db string) string {
	return "SELECT id, effective_start_date, isNull(effective_end_date), is_current, record_hash, summary, status, last_updated FROM (SELECT * FROM `" +
		db + "`.tickets FINAL) ORDER BY id, effective_start_date"
}

// sameAsServer checks that the cluster's tickets (through the Distributed
// table, FINAL) equal the single server's, loaded from the same source,
// and that the current view has exactly the source's keys.
func sameAsServer(t *testing.T, c *chcluster.Cluster, cdb string, srv wt.Target, sdb string, store *cwfake.Store) {
	t.Helper()
	got, want := query(t, c, versionsQuery(cdb)), query(t, srv.Server, versionsQuery(sdb))
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("cluster and single server differ at version %d of %d/%d:\ncluster: %s\nserver:  %s", i, len(gl), len(wl), gl[i], wl[i])
			}
		}
		t.Fatalf("cluster has %d version lines, the single server %d", len(gl), len(wl))
	}
	var ids []string
	for _, rec := range store.Tickets() {
		ids = append(ids, strconv.FormatInt(int64(rec["id"].(float64)), 10))
	}
	sort.Strings(ids)
	cur := strings.Fields(query(t, c, "SELECT toString(id) AS s FROM `"+cdb+"`.tickets_current ORDER BY s"))
	if strings.Join(cur, ",") != strings.Join(ids, ",") {
		t.Fatalf("the current view has %d keys, the source serves %d", len(cur), len(ids))
	}
}

// checkShards checks the local tables: on each shard both replicas hold
// the same rows, no key lives on two shards, and the shards together hold
// what the Distributed table shows. It returns the rows per shard.
func checkShards(t testing.TB, c *chcluster.Cluster, db string) []int {
	t.Helper()
	local := "`" + db + "`.tickets_local"
	keys := map[string]int{}
	var perShard []int
	total := 0
	for s := 1; s <= chcluster.Shards; s++ {
		var counts []string
		for _, n := range c.Shard(s) {
			query(t, n, "SYSTEM SYNC REPLICA "+local)
			counts = append(counts, strings.TrimSpace(query(t, n, "SELECT count() FROM "+local)))
		}
		for _, cn := range counts[1:] {
			if cn != counts[0] {
				t.Errorf("shard %d: replicas hold %v rows", s, counts)
			}
		}
		rows, _ := strconv.Atoi(counts[0])
		perShard = append(perShard, rows)
		total += rows
		for _, k := range strings.Fields(query(t, c.Shard(s)[0], "SELECT DISTINCT id FROM "+local)) {
			if prev, dup := keys[k]; dup {
				t.Errorf("key %s lives on shards %d and %d", k, prev, s)
			}
			keys[k] = s
		}
	}
	if d := strings.TrimSpace(query(t, c, "SELECT count() FROM `"+db+"`.tickets")); d != strconv.Itoa(total) {
		t.Errorf("the Distributed table has %s rows, the shards %d", d, total)
	}
	return perShard
}

// tableExists reports whether db.name exists on node n.
func tableExists(t *testing.T, n *chcluster.Node, db, name string) bool {
	t.Helper()
	return strings.TrimSpace(query(t, n, "SELECT count() FROM system.tables WHERE database = "+
		warehouse.QuoteString(db)+" AND name = "+warehouse.QuoteString(name))) != "0"
}
