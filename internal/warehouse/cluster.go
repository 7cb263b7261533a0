package warehouse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
)

// Cluster names the ClickHouse cluster a tenant's tables live on: the
// cluster of the servers' remote_servers, and where replicated tables keep
// their metadata in ZooKeeper.
type Cluster struct {
	// Name is the cluster's name in remote_servers (ON CLUSTER, Distributed).
	Name string
	// ZooKeeperPrefix starts every replicated table's ZooKeeper path
	// (DefaultZooKeeperPrefix when empty).
	ZooKeeperPrefix string
}

// DefaultZooKeeperPrefix is ClickHouse's customary path prefix for
// replicated tables.
const DefaultZooKeeperPrefix = "/clickhouse/tables"

// zkPathRE is what a ZooKeeper prefix may be: absolute, segments of
// letters, digits, '_', '-' and '.', no trailing slash. Nothing in it can
// end the string literal it is written into.
var zkPathRE = regexp.MustCompile(`^(/[A-Za-z0-9_.-]+)+$`)

// Validate checks the cluster name (an identifier) and the prefix.
func (c Cluster) Validate() error {
	if err := ValidIdent(c.Name); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if p := c.zkPrefix(); !zkPathRE.MatchString(p) || strings.Contains(p, "/./") || strings.Contains(p, "/../") {
		return fmt.Errorf("invalid ZooKeeper prefix %q: want an absolute path such as %s (letters, digits, '_', '-', '.')", clip(p), DefaultZooKeeperPrefix)
	}
	return nil
}

func (c Cluster) zkPrefix() string {
	if c.ZooKeeperPrefix == "" {
		return DefaultZooKeeperPrefix
	}
	return c.ZooKeeperPrefix
}

// ClusterDDL fills the placeholders of a generated cluster DDL file
// (table.ClusterParam, table.DatabaseParam, table.ZooKeeperPrefixParam)
// with the quoted cluster name, the quoted database and the validated
// ZooKeeper prefix. A "${" left over (an unknown placeholder) is an error.
func ClusterDDL(ddl string, c Cluster, db string) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	if err := ValidDatabase(db); err != nil {
		return "", err
	}
	out := strings.NewReplacer(
		table.ZooKeeperPath, c.zkPrefix()+"/{shard}/"+db+"/",
		table.ClusterParam, QuoteIdent(c.Name),
		table.DatabaseParam, QuoteIdent(db),
		table.ZooKeeperPrefixParam, c.zkPrefix(),
	).Replace(ddl)
	if i := strings.Index(out, "${"); i >= 0 {
		end := min(len(out), i+30)
		return "", fmt.Errorf("cluster DDL: unknown placeholder at %q", out[i:end])
	}
	return out, nil
}

// onCluster is " ON CLUSTER `name`".
func (c Cluster) onCluster() string { return " ON CLUSTER " + QuoteIdent(c.Name) }

// EnsureClusterDatabase creates db on every node of the cluster.
func EnsureClusterDatabase(ctx context.Context, e Engine, c Cluster, db string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := ValidDatabase(db); err != nil {
		return err
	}
	return e.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+QuoteIdent(db)+c.onCluster())
}

// stateDDL renders one of the state tables' statements (runsDDL,
// migrationsDDL, hashDefinitionsDDL) for db: as written for one server, or
// for a cluster, where the table is created ON CLUSTER as a
// ReplicatedMergeTree whose ZooKeeper path has no {shard}: every node of
// the cluster is a replica of the one table, so every worker, whichever
// node it connects to, reads the same runs, cursors and migrations. (That
// needs the {replica} macro to be unique across the cluster, as a host
// name is.)
func stateDDL(ddl, db string, c *Cluster) string {
	out := replaceDB(ddl, db)
	if c == nil {
		return out
	}
	name := stateTableName(ddl)
	out = strings.Replace(out, "`"+name+"` (", "`"+name+"`"+c.onCluster()+" (", 1)
	engine := fmt.Sprintf("ENGINE = ReplicatedMergeTree('%s/_canonic/%s/%s', '{replica}')", c.zkPrefix(), db, name)
	return strings.Replace(out, "ENGINE = MergeTree", engine, 1)
}

// stateTableName is the table a state DDL creates: the first backquoted
// name.
func stateTableName(ddl string) string {
	_, rest, _ := strings.Cut(ddl, "`")
	name, _, _ := strings.Cut(rest, "`")
	return name
}

// EnsureClusterStateTables creates db's state tables (RunsTable,
// MigrationsTable, HashDefinitionsTable, SweepKeysTable,
// CheckpointsTable) on every node of the cluster, as one replicated table
// each (see stateDDL).
func EnsureClusterStateTables(ctx context.Context, e Engine, c Cluster, db string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := ValidIdent(db); err != nil {
		return err
	}
	for _, ddl := range clusterStateDDLs {
		if err := e.Exec(ctx, stateDDL(ddl, db, &c)); err != nil {
			return err
		}
	}
	return nil
}

// clusterStateDDLs are the state tables a cluster keeps on every node.
var clusterStateDDLs = []string{runsDDL, migrationsDDL, hashDefinitionsDDL, sweepKeysDDL, checkpointsDDL}

// SyncStateTables has the connected node fetch every state table's rows
// that other nodes wrote (SYSTEM SYNC REPLICA), so that what this run
// reads (cursors, migrations, a resumed sweep's keys and checkpoint) is
// complete whichever node earlier runs wrote through.
func SyncStateTables(ctx context.Context, e Engine, db string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	for _, ddl := range clusterStateDDLs {
		if err := e.Exec(ctx, "SYSTEM SYNC REPLICA "+qualified(db, stateTableName(ddl))); err != nil {
			return err
		}
	}
	return nil
}

// Node is one server of a cluster, as system.clusters lists it.
type Node struct {
	Shard, Replica int    // from 1
	Host           string // host name as configured
	Port           int    // native protocol port
}

// Addr is host:port.
func (n Node) Addr() string { return net.JoinHostPort(n.Host, strconv.Itoa(n.Port)) }

func (n Node) String() string {
	return fmt.Sprintf("shard %d replica %d (%s)", n.Shard, n.Replica, n.Addr())
}

// ClusterNodes lists the cluster's nodes, shard by shard, from the
// connected server's system.clusters. An unknown cluster is an error that
// says so.
func ClusterNodes(ctx context.Context, e Engine, c Cluster) ([]Node, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	q := "SELECT toInt64(shard_num), toInt64(replica_num), host_name, toInt64(port) FROM system.clusters WHERE cluster = " +
		QuoteString(c.Name) + " ORDER BY shard_num, replica_num"
	var nodes []Node
	var r rowbinary.Reader
	err := e.Query(ctx, q, func(src []byte) (int, error) {
		r.Reset(src)
		n := Node{Shard: int(r.Int64()), Replica: int(r.Int64()), Host: r.String(), Port: int(r.Int64())}
		nodes = append(nodes, n)
		return r.Offset(), r.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading cluster %s from system.clusters: %w", c.Name, err)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("cluster %s: the server (%s) has no such cluster in remote_servers", c.Name, e)
	}
	return nodes, nil
}

// ReplicasPerShard is the smallest number of replicas any shard has: the
// quorum every insert waits for.
func ReplicasPerShard(nodes []Node) int {
	per := map[int]int{}
	for _, n := range nodes {
		per[n.Shard]++
	}
	least := 0
	for _, k := range per {
		if least == 0 || k < least {
			least = k
		}
	}
	return least
}

// ClusterInsertSettings are the settings of a loader's connection to a
// cluster node: an INSERT into a Distributed table sends each shard's rows
// to that shard while the statement runs (insert_distributed_sync), and
// each shard acknowledges only when all of its replicas have the rows
// (insert_quorum = replicas, waiting up to 30 s). So when an INSERT
// returns, every row of it is on every replica; when it fails, the run
// fails and the rerun writes what is missing.
func ClusterInsertSettings(replicas int) map[string]any {
	return map[string]any{
		"insert_distributed_sync": 1,
		"insert_quorum":           max(replicas, 1),
		"insert_quorum_timeout":   30000,
	}
}

// NodeDSN is dsn with its host:port replaced by node's, so the same user,
// password, database and options reach another node.
func NodeDSN(dsn string, n Node) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("invalid ClickHouse DSN: it does not parse as a URL; want %s", dsnHint)
	}
	u.Host = n.Addr()
	q := u.Query()
	q.Del(HTTPPortParam) // the given node's, not this one's
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ShardDownError says that every replica of a shard is unreachable.
type ShardDownError struct {
	Shard int
	Nodes []Node
	Err   error // the first replica's error
}

func (e *ShardDownError) Error() string {
	addrs := make([]string, len(e.Nodes))
	for i, n := range e.Nodes {
		addrs[i] = n.Addr()
	}
	return fmt.Sprintf("shard %d is down: none of its replicas (%s) answers: %v", e.Shard, strings.Join(addrs, ", "), e.Err)
}

func (e *ShardDownError) Unwrap() error { return e.Err }

// NodeDownError says that one replica is unreachable (its shard has
// others).
type NodeDownError struct {
	Node Node
	Err  error
}

func (e *NodeDownError) Error() string {
	return fmt.Sprintf("%s does not answer: %v (every replica must be up: inserts wait until all replicas of a shard have the rows)", e.Node, e.Err)
}

func (e *NodeDownError) Unwrap() error { return e.Err }

// NodeDriftError says that one node's live table differs from the
// generated one.
type NodeDriftError struct {
	Node  Node
	Drift *DriftError
}

func (e *NodeDriftError) Error() string { return e.Node.String() + ": " + e.Drift.Error() }

func (e *NodeDriftError) Unwrap() error { return e.Drift }

// Report names the node, then the full difference.
func (e *NodeDriftError) Report() string { return "on " + e.Node.String() + ": " + e.Drift.Report() }

// PingNodes opens every node with dsn's credentials (host:port replaced),
// over the native protocol only (statements and queries, no Insert), and
// returns the open engines, shard-major, for the caller to close. A shard none of whose replicas answers is a
// *ShardDownError (the first such shard), else a node that does not answer
// is a *NodeDownError.
func PingNodes(ctx context.Context, dsn string, nodes []Node) ([]Engine, error) {
	engines := make([]Engine, len(nodes))
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		ndsn, err := NodeDSN(dsn, n)
		if err != nil {
			closeAll(engines)
			return nil, err
		}
		engines[i], errs[i] = openNode(ctx, ndsn)
	}
	for s := range shards(nodes) {
		down, first := 0, error(nil)
		var members []Node
		for i, n := range nodes {
			if n.Shard != s {
				continue
			}
			members = append(members, n)
			if errs[i] != nil {
				down++
				if first == nil {
					first = errs[i]
				}
			}
		}
		if down == len(members) {
			closeAll(engines)
			return nil, &ShardDownError{Shard: s, Nodes: members, Err: first}
		}
	}
	for i, err := range errs {
		if err != nil {
			closeAll(engines)
			return nil, &NodeDownError{Node: nodes[i], Err: err}
		}
	}
	return engines, nil
}

// shards yields the shard numbers in order of first appearance.
func shards(nodes []Node) func(func(int) bool) {
	return func(yield func(int) bool) {
		seen := map[int]bool{}
		for _, n := range nodes {
			if !seen[n.Shard] {
				seen[n.Shard] = true
				if !yield(n.Shard) {
					return
				}
			}
		}
	}
}

func closeAll(engines []Engine) {
	for _, e := range engines {
		if e != nil {
			e.Close()
		}
	}
}

// CheckClusterTables compares, on every node, the live columns of each
// named table with want (the generated columns): the local replicated
// table and the Distributed table over it. The first difference is a
// *NodeDriftError naming the node.
func CheckClusterTables(ctx context.Context, nodes []Node, engines []Engine, db string, tables []string, want []table.Column) error {
	for i, n := range nodes {
		for _, tbl := range tables {
			if err := CheckTable(ctx, engines[i], db, tbl, want); err != nil {
				var drift *DriftError
				if errors.As(err, &drift) {
					return &NodeDriftError{Node: n, Drift: drift}
				}
				return fmt.Errorf("%s: %w", n, err)
			}
		}
	}
	return nil
}

// ClusterStatement is one statement of a migration on a cluster: run once
// (ON CLUSTER, reaching every node) or on every node by itself.
type ClusterStatement struct {
	SQL       string
	EveryNode bool
}

// ClusterMigration turns the statements of one generated migration (SQL
// for one server, names unqualified: ALTER TABLE `t` ..., DROP TABLE IF
// EXISTS `v`, CREATE VIEW IF NOT EXISTS `v` AS SELECT * FROM `t` ...) into
// statements for the cluster, as ClickHouse 18.16 takes them:
//   - an ALTER of the columns runs ON CLUSTER on the local replicated
//     table (one replica of each shard runs it, ZooKeeper brings it to
//     the others), then on every node's Distributed table by itself (an
//     ALTER ON CLUSTER of a table that is not replicated is refused on a
//     cluster with internal_replication);
//   - COMMENT COLUMN runs on every node's Distributed table only: the
//     local tables carry no comments (18.16 cannot replicate them) and
//     18.16 has no COMMENT COLUMN ON CLUSTER;
//   - the view is dropped and created ON CLUSTER over the Distributed
//     table.
//
// A statement of any other shape is an error naming it: the generator
// never writes one.
func ClusterMigration(migration string, c Cluster, db, tbl, view string) ([]ClusterStatement, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	for _, n := range []string{db, tbl, view} {
		if err := ValidIdent(n); err != nil {
			return nil, err
		}
	}
	on := c.onCluster()
	local := qualified(db, tbl+table.LocalSuffix)
	dist := qualified(db, tbl)
	alterPrefix := "ALTER TABLE " + QuoteIdent(tbl) + " "
	dropView := "DROP TABLE IF EXISTS " + QuoteIdent(view)
	createView := "CREATE VIEW IF NOT EXISTS " + QuoteIdent(view) + " AS\n"
	var out []ClusterStatement
	for _, stmt := range SplitStatements(migration) {
		stmt = stripComments(stmt)
		switch {
		case strings.HasPrefix(stmt, alterPrefix+"COMMENT COLUMN "):
			rest := strings.TrimPrefix(stmt, alterPrefix)
			out = append(out, ClusterStatement{SQL: "ALTER TABLE " + dist + " " + rest, EveryNode: true})
		case strings.HasPrefix(stmt, alterPrefix):
			rest := strings.TrimPrefix(stmt, alterPrefix)
			out = append(out,
				ClusterStatement{SQL: "ALTER TABLE " + local + on + " " + rest},
				ClusterStatement{SQL: "ALTER TABLE " + dist + " " + rest, EveryNode: true})
		case stmt == dropView:
			out = append(out, ClusterStatement{SQL: "DROP TABLE IF EXISTS " + qualified(db, view) + on})
		case strings.HasPrefix(stmt, createView):
			body := strings.TrimPrefix(stmt, createView)
			from := " FROM " + QuoteIdent(tbl) + " "
			if !strings.Contains(body, from) {
				return nil, fmt.Errorf("migration statement %q: its view does not read %s", clip(stmt), tbl)
			}
			body = strings.Replace(body, from, " FROM "+dist+" ", 1)
			out = append(out, ClusterStatement{SQL: "CREATE VIEW IF NOT EXISTS " + qualified(db, view) + on + " AS\n" + body})
		default:
			return nil, fmt.Errorf("migration statement %q cannot be run on a cluster (only the generator's ALTER TABLE, DROP and CREATE VIEW shapes can)", clip(stmt))
		}
	}
	return out, nil
}

// RunClusterStatements runs statements in order: once on e, or on each of
// nodes' engines (a failure names the node).
func RunClusterStatements(ctx context.Context, e Engine, nodes []Node, engines []Engine, stmts []ClusterStatement) error {
	for _, s := range stmts {
		if !s.EveryNode {
			if err := e.Exec(ctx, s.SQL); err != nil {
				return err
			}
			continue
		}
		for i, ne := range engines {
			if err := ne.Exec(ctx, s.SQL); err != nil {
				return fmt.Errorf("%s: %w", nodes[i], err)
			}
		}
	}
	return nil
}

// stripComments drops leading "--" comment lines of a statement.
func stripComments(stmt string) string {
	lines := strings.Split(stmt, "\n")
	for len(lines) > 0 && strings.HasPrefix(strings.TrimSpace(lines[0]), "--") {
		lines = lines[1:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// WaitReplicasActive waits until, on every node, db.tbl (a replicated
// table) sees all of its shard's replicas active, polling for up to
// timeout. A replica that was restarted answers queries before it is
// active again (it waits for its previous ZooKeeper session to expire),
// and an INSERT with insert_quorum fails until it is. After timeout the
// error names the node and the counts.
func WaitReplicasActive(ctx context.Context, nodes []Node, engines []Engine, db, tbl string, timeout time.Duration) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	if err := ValidIdent(tbl); err != nil {
		return err
	}
	q := "SELECT toInt64(active_replicas), toInt64(total_replicas) FROM system.replicas WHERE database = " +
		QuoteString(db) + " AND table = " + QuoteString(tbl)
	deadline := time.Now().Add(timeout)
	for i, e := range engines {
		for {
			var active, total int64
			var r rowbinary.Reader
			err := e.Query(ctx, q, func(src []byte) (int, error) {
				r.Reset(src)
				active, total = r.Int64(), r.Int64()
				return r.Offset(), r.Err()
			})
			if err != nil {
				return fmt.Errorf("%s: %w", nodes[i], err)
			}
			if active == total {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %d of %d replicas of %s.%s are active after %v (a restarted replica rejoins once its previous ZooKeeper session expires): retry shortly",
					nodes[i], active, total, db, tbl, timeout)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// SyncReplicas runs SYSTEM SYNC REPLICA db.tbl on every node: each replica
// fetches what its shard's other replicas wrote while it was away. An
// INSERT written with insert_quorum while a replica was down leaves that
// quorum open until the replica has the part, and the next quorum INSERT
// into the shard fails until then (code 286); after this it does not.
func SyncReplicas(ctx context.Context, nodes []Node, engines []Engine, db, tbl string) error {
	if err := ValidIdent(db); err != nil {
		return err
	}
	if err := ValidIdent(tbl); err != nil {
		return err
	}
	for i, e := range engines {
		if err := e.Exec(ctx, "SYSTEM SYNC REPLICA "+qualified(db, tbl)); err != nil {
			return fmt.Errorf("%s: %w", nodes[i], err)
		}
	}
	return nil
}
