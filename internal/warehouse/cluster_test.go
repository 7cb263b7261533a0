package warehouse_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "github.com/canonic-data/canonic/internal/evolvetest/v1/generated/connectwise/tickets"
	v2 "github.com/canonic-data/canonic/internal/evolvetest/v2/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestClusterDDLFillsPlaceholders(t *testing.T) {
	c := warehouse.Cluster{Name: "prod_eu"}
	out, err := warehouse.ClusterDDL(v1.Table.ClusterDDL, c, "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS `acme`.`tickets_local` ON CLUSTER `prod_eu`\n(",
		"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/acme/tickets', '{replica}', updated_at)",
		"ENGINE = Distributed(`prod_eu`, `acme`, `tickets_local`, intHash64(`id`));",
		"CREATE VIEW IF NOT EXISTS `acme`.`tickets_current` ON CLUSTER `prod_eu` AS\nSELECT * FROM `acme`.`tickets` FINAL",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("filled cluster DDL lacks %q", want)
		}
	}
	if strings.Contains(out, "${") {
		t.Error("a placeholder is left")
	}
	for _, bad := range []struct {
		c  warehouse.Cluster
		db string
	}{
		{warehouse.Cluster{Name: "a`b"}, "acme"},
		{warehouse.Cluster{Name: "prod"}, "ac'me"},
		{warehouse.Cluster{Name: "prod", ZooKeeperPrefix: "/ch/t'x"}, "acme"},
		{warehouse.Cluster{Name: "prod", ZooKeeperPrefix: "relative/path"}, "acme"},
		{warehouse.Cluster{Name: "prod", ZooKeeperPrefix: "/ch/../x"}, "acme"},
		{warehouse.Cluster{Name: "prod"}, "system"},
	} {
		if _, err := warehouse.ClusterDDL(v1.Table.ClusterDDL, bad.c, bad.db); err == nil {
			t.Errorf("ClusterDDL(%+v, %q) accepted", bad.c, bad.db)
		}
	}
	if _, err := warehouse.ClusterDDL("CREATE TABLE ${nope}.t", c, "acme"); err == nil || !strings.Contains(err.Error(), "${nope}") {
		t.Errorf("unknown placeholder: %v", err)
	}
}

func TestClusterMigrationStatements(t *testing.T) {
	c := warehouse.Cluster{Name: "prod"}
	mig := v2.Table.Migrations[1]
	got, err := warehouse.ClusterMigration(mig.SQL, c, "acme", "tickets", "tickets_current")
	if err != nil {
		t.Fatal(err)
	}
	type st = warehouse.ClusterStatement
	want := []st{
		{SQL: "ALTER TABLE `acme`.`tickets_local` ON CLUSTER `prod` ADD COLUMN `priority` Nullable(String) AFTER `status`"},
		{SQL: "ALTER TABLE `acme`.`tickets` ADD COLUMN `priority` Nullable(String) AFTER `status`", EveryNode: true},
		{SQL: "ALTER TABLE `acme`.`tickets` COMMENT COLUMN `priority` 'Priority name (added in v2).'", EveryNode: true},
		{SQL: "ALTER TABLE `acme`.`tickets` COMMENT COLUMN `summary` 'One-line summary of the ticket.'", EveryNode: true},
		{SQL: "DROP TABLE IF EXISTS `acme`.`tickets_current` ON CLUSTER `prod`"},
		{SQL: "CREATE VIEW IF NOT EXISTS `acme`.`tickets_current` ON CLUSTER `prod` AS\nSELECT * FROM `acme`.`tickets` FINAL WHERE is_current = 1"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cluster migration:\n%v\nwant:\n%v", got, want)
	}
	if _, err := warehouse.ClusterMigration("TRUNCATE TABLE `tickets`;\n", c, "acme", "tickets", "tickets_current"); err == nil {
		t.Error("an unknown statement shape was accepted")
	}
}

// TestClusterTablesOnLocalCluster runs the generated cluster DDL, a
// migration and the per-node preflight on the local 2x2 cluster.
func TestClusterTablesOnLocalCluster(t *testing.T) {
	tg := wt.Cluster(t)
	ctx := context.Background()
	ddl, err := warehouse.ClusterDDL(v1.Table.ClusterDDL, tg.Spec, tg.DB)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // IF NOT EXISTS holds
		if err := tg.Engine.ApplyDDL(ctx, tg.DB, ddl); err != nil {
			t.Fatal(err)
		}
	}
	if err := warehouse.EnsureClusterStateTables(ctx, tg.Engine, tg.Spec, tg.DB); err != nil {
		t.Fatal(err)
	}
	nodes, err := warehouse.ClusterNodes(ctx, tg.Engine, tg.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 4 || warehouse.ReplicasPerShard(nodes) != 2 || nodes[3].Shard != 2 || nodes[3].Replica != 2 {
		t.Fatalf("nodes = %v", nodes)
	}
	engines, err := warehouse.PingNodes(ctx, tg.DSN, nodes)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, e := range engines {
			e.Close()
		}
	}()
	tables := []string{"tickets_local", "tickets"}
	if err := warehouse.CheckClusterTables(ctx, nodes, engines, tg.DB, tables, v1.Table.Columns); err != nil {
		t.Fatalf("v1 columns on every node: %v", err)
	}
	var nd *warehouse.NodeDriftError
	if err := warehouse.CheckClusterTables(ctx, nodes, engines, tg.DB, tables, v2.Table.Columns); !errors.As(err, &nd) || nd.Node.Shard != 1 || nd.Node.Replica != 1 {
		t.Fatalf("v2 columns before the migration: %v, want a drift on shard 1 replica 1", err)
	}

	stmts, err := warehouse.ClusterMigration(v2.Table.Migrations[1].SQL, tg.Spec, tg.DB, "tickets", "tickets_current")
	if err != nil {
		t.Fatal(err)
	}
	if err := warehouse.RunClusterStatements(ctx, tg.Engine, nodes, engines, stmts); err != nil {
		t.Fatal(err)
	}
	if err := warehouse.CheckClusterTables(ctx, nodes, engines, tg.DB, tables, v2.Table.Columns); err != nil {
		t.Fatalf("v2 columns on every node after the migration: %v", err)
	}
	for i, e := range engines {
		if _, err := warehouse.Columns(ctx, e, tg.DB, "tickets_current"); err != nil {
			t.Errorf("%s: current view: %v", nodes[i], err)
		}
	}

	// One node's Distributed table changed by hand: the preflight names it.
	if _, err := tg.Cluster.Nodes[3].Query(ctx, "ALTER TABLE "+tg.DB+".tickets ADD COLUMN stray UInt8"); err != nil {
		t.Fatal(err)
	}
	err = warehouse.CheckClusterTables(ctx, nodes, engines, tg.DB, tables, v2.Table.Columns)
	if !errors.As(err, &nd) || nd.Node.Shard != 2 || nd.Node.Replica != 2 || !strings.Contains(err.Error(), "shard 2 replica 2 (127.0.0.1:") ||
		!strings.Contains(nd.Report(), "column stray: not in the generated table") {
		t.Fatalf("drift on one node: %v", err)
	}

	// The state tables are one replicated table over every node.
	run := warehouse.Run{Table: "tickets", RunID: "r1", StartedAt: time.Unix(100, 0), FinishedAt: time.Unix(200, 0),
		Mode: "full", Status: warehouse.RunSucceeded, Cursor: time.Unix(150, 0).UTC()}
	if err := warehouse.RecordRun(ctx, tg.Engine, tg.DB, run); err != nil {
		t.Fatal(err)
	}
	for i, e := range engines {
		if _, err := tg.Cluster.Nodes[i].Query(ctx, "SYSTEM SYNC REPLICA "+tg.DB+"."+warehouse.RunsTable); err != nil {
			t.Fatal(err)
		}
		cur, ok, err := warehouse.LastCursor(ctx, e, tg.DB, "tickets")
		if err != nil || !ok || !cur.Equal(run.Cursor) {
			t.Errorf("%s: last cursor %v %v %v, want %v", nodes[i], cur, ok, err, run.Cursor)
		}
	}
}

// TestPingNodesNamesTheShardDown stops both replicas of shard 2: the
// preflight fails naming shard 2; with one of them back it names the
// replica still down.
func TestPingNodesNamesTheShardDown(t *testing.T) {
	tg := wt.Cluster(t)
	ctx := context.Background()
	nodes, err := warehouse.ClusterNodes(ctx, tg.Engine, tg.Spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range tg.Cluster.Shard(2) {
		if err := n.Kill(); err != nil {
			t.Fatal(err)
		}
	}
	_, err = warehouse.PingNodes(ctx, tg.DSN, nodes)
	var sd *warehouse.ShardDownError
	if !errors.As(err, &sd) || sd.Shard != 2 || !strings.HasPrefix(err.Error(), "shard 2 is down: none of its replicas (127.0.0.1:") {
		t.Fatalf("shard 2 down: %v", err)
	}
	if strings.Contains(err.Error(), "ldr-S3cret") {
		t.Error("the password is in the error")
	}
	if err := tg.Cluster.Shard(2)[0].Up(); err != nil {
		t.Fatal(err)
	}
	_, err = warehouse.PingNodes(ctx, tg.DSN, nodes)
	var nd *warehouse.NodeDownError
	if !errors.As(err, &nd) || nd.Node.Shard != 2 || nd.Node.Replica != 2 {
		t.Fatalf("one replica down: %v", err)
	}
	if err := tg.Cluster.RestoreAll(); err != nil {
		t.Fatal(err)
	}
	engines, err := warehouse.PingNodes(ctx, tg.DSN, nodes)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		e.Close()
	}
}
