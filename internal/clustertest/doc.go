// Package clustertest loads ConnectWise tickets into a real local
// ClickHouse cluster (internal/testenv/chcluster: ZooKeeper 3.8 and four
// clickhouse-server 18.16 processes, 2 shards x 2 replicas) with the
// generated backfill entry points and --cluster, and checks the result
// through the Distributed table against the same load on one server:
// first load, reruns, changes, a --full sweep after deletes, a migration,
// a replica killed mid-load and a whole shard down. It holds tests only.
package clustertest
