package backfill

import (
	"context"
	"time"

	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// Loading into a cluster (--cluster NAME) changes where things are, not
// the SCD rules:
//   - the tables are the generated cluster DDL (table.ClusterDDL): <table>
//     is a Distributed table over the replicated <table>_local, sharded
//     by the business key; the database, the tables and the state tables
//     (replicated over every node) are created ON CLUSTER;
//   - before anything is written every node must answer: a shard with no
//     replica up fails the run naming the shard, a replica down names the
//     replica (inserts wait for every replica of a shard); a replica that
//     answers but is not active yet (just restarted) is waited for, and
//     every replica syncs (SYSTEM SYNC REPLICA) so that a quorum left open
//     by a failed run is closed before this one inserts;
//   - the preflight compares the generated columns with every node's
//     <table>_local and <table> and names the node that differs;
//   - migrations run ON CLUSTER (warehouse.ClusterMigration);
//   - current versions are read through the Distributed table and rows
//     are written into it with insert_distributed_sync and insert_quorum
//     (warehouse.ClusterInsertSettings, set on the connection by
//     OpenCluster): when an INSERT returns, its rows are on every replica,
//     so "rows written N" counts rows in replicated tables;
//   - the state tables, the keys a --full sweep saw and the checkpoints of
//     a cut sweep included, are replicated over every node, and synced on
//     the connected node before a run reads them; the sweep's keys go to
//     every shard for the anti-join (GLOBAL NOT IN).

// ClusterTarget says that the load goes to a ClickHouse cluster.
type ClusterTarget struct {
	warehouse.Cluster
	// DSN is --clickhouse (any node); the other nodes are reached with
	// its user, password and options.
	DSN string
}

// OpenCluster connects to the node dsn names with the insert settings of
// the cluster's shape (warehouse.ClusterInsertSettings): it reads the
// nodes from the node's system.clusters first.
func OpenCluster(ctx context.Context, dsn string, c warehouse.Cluster) (warehouse.Engine, error) {
	probe, err := warehouse.OpenServer(ctx, dsn)
	if err != nil {
		return nil, err
	}
	nodes, err := warehouse.ClusterNodes(ctx, probe, c)
	probe.Close()
	if err != nil {
		return nil, err
	}
	return warehouse.OpenServer(ctx, dsn, warehouse.ClusterInsertSettings(warehouse.ReplicasPerShard(nodes)))
}

// replicasActiveWait bounds how long a run waits, before writing, for a
// restarted replica to become active again.
const replicasActiveWait = time.Minute

// nodeSet is every node of the cluster with an open engine each, while
// prepare runs.
type nodeSet struct {
	nodes   []warehouse.Node
	engines []warehouse.Engine
}

func (n *nodeSet) close() {
	for _, e := range n.engines {
		e.Close()
	}
	*n = nodeSet{}
}

// prepareCluster is prepare for a cluster.
func (l *loader[R]) prepareCluster(ctx context.Context) error {
	c := l.opts.Cluster
	nodes, err := warehouse.ClusterNodes(ctx, l.eng, c.Cluster)
	if err != nil {
		return err
	}
	engines, err := warehouse.PingNodes(ctx, c.DSN, nodes)
	if err != nil {
		return err
	}
	l.nodes = nodeSet{nodes: nodes, engines: engines}
	defer l.nodes.close()

	exists, err := warehouse.TableExists(ctx, l.eng, l.db, l.tbl.Name)
	if err != nil {
		return err
	}
	if l.opts.DryRun {
		if !exists {
			l.emptyAtStart = true
			return nil
		}
		if err := l.refusePending(ctx); err != nil {
			return err
		}
	} else {
		if err := warehouse.EnsureClusterDatabase(ctx, l.eng, c.Cluster, l.db); err != nil {
			return err
		}
		if err := warehouse.EnsureClusterStateTables(ctx, l.eng, c.Cluster, l.db); err != nil {
			return err
		}
		if err := warehouse.SyncStateTables(ctx, l.eng, l.db); err != nil {
			return err
		}
		if err := l.migrateOrBaseline(ctx, exists); err != nil {
			return err
		}
		ddl, err := warehouse.ClusterDDL(l.tbl.ClusterDDL, c.Cluster, l.db)
		if err != nil {
			return err
		}
		if err := l.eng.ApplyDDL(ctx, l.db, ddl); err != nil {
			return err
		}
	}
	tables := []string{l.tbl.Name + table.LocalSuffix, l.tbl.Name}
	if err := warehouse.CheckClusterTables(ctx, nodes, engines, l.db, tables, l.tbl.Columns); err != nil {
		return err
	}
	if !l.opts.DryRun {
		if err := warehouse.WaitReplicasActive(ctx, nodes, engines, l.db, tables[0], replicasActiveWait); err != nil {
			return err
		}
		if err := warehouse.SyncReplicas(ctx, nodes, engines, l.db, tables[0]); err != nil {
			return err
		}
	}
	return l.readState(ctx, exists)
}
