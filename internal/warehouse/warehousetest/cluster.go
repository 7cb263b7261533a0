package warehousetest

import (
	"context"
	"testing"

	"github.com/canonic-data/canonic/internal/testenv/chcluster"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// ClusterTarget is the shared local cluster (chcluster: 2 shards x 2
// replicas) with a fresh database on every node.
type ClusterTarget struct {
	Cluster *chcluster.Cluster
	// Spec is the cluster as the runtime takes it (--cluster).
	Spec warehouse.Cluster
	// Engine is a loader connection to the first node with the cluster's
	// insert settings; closed when the test ends.
	Engine warehouse.Engine
	// DSN is the loader user's DSN of the first node (database default).
	DSN string
	// DB is the test's database, created ON CLUSTER and dropped at the end.
	DB string
}

// Cluster returns the shared cluster target, skipping the test (failing it
// with CI=true) when clickhouse-server or zookeeper is missing, and under
// -short.
func Cluster(t testing.TB) ClusterTarget {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a ClickHouse cluster (-short)")
	}
	c := chcluster.Shared(t)
	db := c.TempDatabase(t)
	dsn := c.Nodes[0].DSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default")
	eng, err := warehouse.OpenServer(context.Background(), dsn, warehouse.ClusterInsertSettings(chcluster.Replicas))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return ClusterTarget{
		Cluster: c,
		Spec:    warehouse.Cluster{Name: c.Name, ZooKeeperPrefix: chcluster.ZooKeeperPrefix},
		Engine:  eng, DSN: dsn, DB: db,
	}
}
