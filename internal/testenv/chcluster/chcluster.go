// Package chcluster runs a private ClickHouse cluster for tests: one
// ZooKeeper 3.8 (Debian's zookeeper package, run with java) and four
// clickhouse-server 18.16 processes (internal/testenv/chserver) forming
// the cluster Name with 2 shards x 2 replicas, all on free 127.0.0.1
// ports, each with its own directory.
//
// Every node's config.d/cluster.xml has remote_servers (the cluster, with
// internal_replication true, so a Distributed table writes one replica per
// shard and ReplicatedMergeTree copies it to the other), macros (shard
// "01"/"02", replica "s<shard>r<replica>"), zookeeper and distributed_ddl,
// so ON CLUSTER DDL, ReplicatedReplacingMergeTree and Distributed tables
// work as in production.
//
// Use Shared for one cluster per test binary together with Main:
//
//	func TestMain(m *testing.M) { chcluster.Main(m) }
//
//	func TestX(t *testing.T) {
//		c := chcluster.Shared(t)
//		db := c.TempDatabase(t)
//		...
//	}
//
// Tests on the shared cluster use their own database (TempDatabase). A
// test that kills or stops a node (Node.Kill, Node.Down) must not run in
// parallel with others and must bring the node back (Node.Up) before it
// ends; RestoreAll does that in a cleanup.
//
// Without java, Debian's zookeeper package or clickhouse-server the tests
// are skipped with InstallHint, or fail when the environment has CI=true.
package chcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/testenv/chserver"
)

// Name is the cluster's name in remote_servers.
const Name = "canonic_test"

// Shards and Replicas give the cluster's shape.
const (
	Shards   = 2
	Replicas = 2
)

// ZooKeeperPrefix is where the tests' replicated tables keep their
// metadata in ZooKeeper.
const ZooKeeperPrefix = "/clickhouse/tables"

// InstallHint says how to install what the cluster needs.
const InstallHint = "install it as root with internal/testenv/install-clickhouse.sh " +
	"(apt-get install -y clickhouse-server clickhouse-client zookeeper)"

// Node is one clickhouse-server of the cluster.
type Node struct {
	*chserver.Server
	// Shard and Replica number the node from 1, as the macros do.
	Shard, Replica int
	// InterserverAddr is the host:port replicas fetch parts from.
	InterserverAddr string
}

// Name is the node's replica macro, "s1r2".
func (n *Node) Name() string { return fmt.Sprintf("s%dr%d", n.Shard, n.Replica) }

// Cluster is a running private cluster.
type Cluster struct {
	// Name is the cluster name for ON CLUSTER and Distributed tables.
	Name string
	// ZooKeeper is the coordination server.
	ZooKeeper *ZooKeeper
	// Nodes are shard-major: s1r1, s1r2, s2r1, s2r2.
	Nodes []*Node
	// Dir holds every process's directory.
	Dir string
}

// Shard returns the nodes of shard i (from 1).
func (c *Cluster) Shard(i int) []*Node {
	var out []*Node
	for _, n := range c.Nodes {
		if n.Shard == i {
			out = append(out, n)
		}
	}
	return out
}

// clusterXML is each node's config.d/cluster.xml.
const clusterXML = `<?xml version="1.0"?>
<yandex>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <interserver_http_port>{{interserver}}</interserver_http_port>
    <remote_servers>
        <{{cluster}}>{{shards}}
        </{{cluster}}>
    </remote_servers>
    <macros>
        <shard>{{shard}}</shard>
        <replica>{{replica}}</replica>
    </macros>
    <zookeeper>
        <node><host>127.0.0.1</host><port>{{zkport}}</port></node>
        <session_timeout_ms>3000</session_timeout_ms>
        <operation_timeout_ms>3000</operation_timeout_ms>
    </zookeeper>
    <distributed_ddl>
        <path>/clickhouse/task_queue/ddl</path>
    </distributed_ddl>
    <!-- A restarted replica whose previous ZooKeeper session is still
         alive retries becoming active after this many seconds (60 by
         default), which fault tests would wait for. -->
    <merge_tree>
        <zookeeper_session_expiration_check_period>2</zookeeper_session_expiration_check_period>
    </merge_tree>
</yandex>
`

// usersXML is each node's users.d/cluster.xml: ON CLUSTER DDL waits at
// most a minute for every node (3 by default), so a test with a node down
// fails in reasonable time.
const usersXML = `<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <distributed_ddl_task_timeout>60</distributed_ddl_task_timeout>
        </default>
    </profiles>
</yandex>
`

// StartProcess starts ZooKeeper and the four nodes and waits until all
// answer. The caller must call Stop. It does not need a testing.TB.
func StartProcess() (*Cluster, error) {
	dir, err := os.MkdirTemp("", "chcluster-")
	if err != nil {
		return nil, fmt.Errorf("chcluster: %w", err)
	}
	c := &Cluster{Name: Name, Dir: dir}
	if _, err := chserver.FindBinary(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.ZooKeeper, err = startZooKeeper(dir, 60*time.Second); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.startNodes(); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// startNodes picks every node's ports, writes the same remote_servers into
// each, and starts the nodes in parallel.
func (c *Cluster) startNodes() error {
	n := Shards * Replicas
	ports, err := chserver.FreePorts(3 * n)
	if err != nil {
		return err
	}
	var shards strings.Builder
	for s := 1; s <= Shards; s++ {
		shards.WriteString("\n            <shard>\n                <internal_replication>true</internal_replication>")
		for r := 1; r <= Replicas; r++ {
			i := (s-1)*Replicas + r - 1
			fmt.Fprintf(&shards, "\n                <replica><host>127.0.0.1</host><port>%d</port></replica>", ports[3*i])
		}
		shards.WriteString("\n            </shard>")
	}
	_, zkPort, _ := net.SplitHostPort(c.ZooKeeper.Addr)
	c.Nodes = make([]*Node, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		node := &Node{Shard: i/Replicas + 1, Replica: i%Replicas + 1,
			InterserverAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[3*i+2]))}
		xml := strings.NewReplacer(
			"{{interserver}}", strconv.Itoa(ports[3*i+2]),
			"{{cluster}}", c.Name,
			"{{shards}}", shards.String(),
			"{{shard}}", fmt.Sprintf("%02d", node.Shard),
			"{{replica}}", node.Name(),
			"{{zkport}}", zkPort,
		).Replace(clusterXML)
		wg.Add(1)
		go func() {
			defer wg.Done()
			node.Server, errs[i] = chserver.StartProcess(filepath.Join(c.Dir, node.Name()),
				chserver.WithPorts(ports[3*i], ports[3*i+1]),
				chserver.WithExtraFile("config.d/cluster.xml", []byte(xml)),
				chserver.WithExtraFile("users.d/cluster.xml", []byte(usersXML)),
				chserver.WithStartTimeout(60*time.Second))
		}()
		c.Nodes[i] = node
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, node := range c.Nodes {
		if err := node.waitZooKeeper(60 * time.Second); err != nil {
			return err
		}
	}
	for _, node := range c.Nodes {
		if err := c.warmUp(node); err != nil {
			return err
		}
	}
	return nil
}

// warmUp runs one ON CLUSTER statement initiated by node. 18.16 can crash
// (SIGSEGV in zkutil::ZooKeeper::createImpl) on the first ON CLUSTER query
// a node initiates right after it started, seen under heavy load; a node
// that crashed here is started again and the statement retried.
func (c *Cluster) warmUp(n *Node) error {
	var err error
	for range 3 {
		_, err = n.Query(context.Background(), "CREATE DATABASE IF NOT EXISTS chcluster_ready ON CLUSTER "+c.Name)
		if err == nil {
			return nil
		}
		// A crash shows as an error before the process has exited.
		for i := 0; i < 60 && n.Running(); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if n.Running() {
			return fmt.Errorf("chcluster: first ON CLUSTER statement from %s: %w", n.Name(), err)
		}
		if err := n.Server.Up(); err != nil {
			return err
		}
		if err := n.waitZooKeeper(60 * time.Second); err != nil {
			return err
		}
	}
	return fmt.Errorf("chcluster: %s crashed on its first ON CLUSTER statement 3 times: %w", n.Name(), err)
}

// waitZooKeeper waits until the node's ZooKeeper session answers. 18.16
// crashes (a NULL ZooKeeper client in createImpl) when ON CLUSTER DDL
// arrives before its session is up, so the cluster is ready only then.
func (n *Node) waitZooKeeper(timeout time.Duration) error {
	return n.waitUntil(timeout, "has no ZooKeeper session", "SELECT count() FROM system.zookeeper WHERE path = '/'",
		func(string) bool { return true })
}

// waitUntil polls query on the node until it answers and ok accepts the
// answer, or timeout passes (the error says the node still `what`).
func (n *Node) waitUntil(timeout time.Duration, what, query string, ok func(out string) bool) error {
	deadline := time.Now().Add(timeout)
	for {
		out, err := n.Query(context.Background(), query)
		if err == nil && ok(strings.TrimSpace(out)) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chcluster: node %s %s after %v (%q, %v)", n.Name(), what, timeout, out, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Up starts a stopped node again and waits for its ZooKeeper session and
// for its replicated tables to be active again.
func (n *Node) Up() error {
	// A node killed during an INSERT may hold a part ZooKeeper never
	// heard of, and 18.16 then refuses to start ("The local set of parts
	// ... doesn't look like the set of parts in ZooKeeper"). Its operator
	// restarts it with this flag, as documented: the server detaches such
	// parts (an INSERT that never completed, which the loader reported as
	// failed) and removes the flag.
	if err := n.ForceRestoreOnStart(); err != nil {
		return err
	}
	if err := n.Server.Up(); err != nil {
		return err
	}
	if err := n.waitZooKeeper(60 * time.Second); err != nil {
		return err
	}
	return n.waitReplicasActive(60 * time.Second)
}

// waitReplicasActive waits until none of the node's replicated tables is
// read-only. A restarted server gets its ZooKeeper session first and marks
// each replica active (its is_active node) a moment later, from a
// background thread; an INSERT with a quorum in between fails with "No
// node, path .../is_active".
func (n *Node) waitReplicasActive(timeout time.Duration) error {
	return n.waitUntil(timeout, "has replicated tables still read-only", "SELECT count() FROM system.replicas WHERE is_readonly OR is_session_expired",
		func(out string) bool { return out == "0" })
}

// Stop kills every process and removes the cluster's directory (kept when
// CHCLUSTER_KEEP=1, for a post-mortem). It is safe to call more than once.
func (c *Cluster) Stop() {
	for _, n := range c.Nodes {
		if n != nil && n.Server != nil {
			n.Server.Kill() //nolint:errcheck // the directory goes next
			n.Server.Stop()
		}
	}
	if c.ZooKeeper != nil {
		c.ZooKeeper.Stop()
	}
	if os.Getenv("CHCLUSTER_KEEP") != "1" {
		os.RemoveAll(c.Dir)
	}
}

// RestoreAll brings every node that is down back up; tests that kill
// nodes of the shared cluster call it in a cleanup.
func (c *Cluster) RestoreAll() error {
	var errs []error
	for _, n := range c.Nodes {
		if !n.Running() {
			errs = append(errs, n.Up())
		}
	}
	return errors.Join(errs...)
}

// Query runs a statement on the first running node over HTTP.
func (c *Cluster) Query(ctx context.Context, query string) (string, error) {
	for _, n := range c.Nodes {
		if n.Running() {
			return n.Query(ctx, query)
		}
	}
	return "", errors.New("chcluster: no node is running")
}

// TempDatabase creates a database on every node (ON CLUSTER) with a name
// unique to this process, drops it on every node when tb ends (with its
// replicated tables' ZooKeeper metadata), and returns the name.
func (c *Cluster) TempDatabase(tb testing.TB) string {
	tb.Helper()
	name := chserver.DatabaseName("c_", tb)
	ctx := context.Background()
	if _, err := c.Query(ctx, "CREATE DATABASE "+name+" ON CLUSTER "+c.Name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.RestoreAll(); err != nil {
			tb.Errorf("restore the cluster's nodes: %v", err)
			return
		}
		if _, err := c.Query(ctx, "DROP DATABASE IF EXISTS "+name+" ON CLUSTER "+c.Name); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return name
}

// LogTail returns every node's log tail, for failure messages.
func (c *Cluster) LogTail(lines int) string {
	var b strings.Builder
	for _, n := range c.Nodes {
		if n != nil && n.Server != nil {
			fmt.Fprintf(&b, "=== %s (%s)\n%s", n.Name(), n.NativeAddr, n.LogTail(lines))
		}
	}
	return b.String()
}

// shared is the one cluster per test binary behind Shared.
var shared struct {
	once sync.Once
	c    *Cluster
	err  error
}

// Shared returns the test binary's cluster, starting it on first use.
// Main stops it.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.once.Do(func() { shared.c, shared.err = StartProcess() })
	if shared.err != nil {
		failOrSkip(tb, shared.err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("cluster log tails:\n%s", shared.c.LogTail(15))
		}
	})
	return shared.c
}

// StopShared stops the shared cluster if Shared started one.
func StopShared() {
	if shared.c != nil {
		shared.c.Stop()
	}
}

// Main runs the tests, stops the shared cluster (and chserver's shared
// server) and exits with the tests' code. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	chserver.StopShared()
	os.Exit(code)
}

// failOrSkip ends tb for a start error: a missing binary or package skips
// (fails with CI=true), anything else fails.
func failOrSkip(tb testing.TB, err error) {
	tb.Helper()
	if (errors.Is(err, chserver.ErrNotInstalled) || errors.Is(err, ErrNoZooKeeper)) && os.Getenv("CI") != "true" {
		tb.Skip(err)
	}
	tb.Fatal(err)
}
