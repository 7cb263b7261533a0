// Package backfill is the runtime every generated backfill binary runs:
// cmd/backfill-<service>-<table>/main.go is
//
//	func main() { os.Exit(backfill.Main(&tickets.Table, os.Args[1:], os.Stdout, os.Stderr)) }
//
// # Command
//
//	backfill-connectwise-tickets --tenant NAME [flags]
//
//	--tenant NAME          required; ASCII letters, digits, underscores; the database unless --database
//	                       (a tenant named default needs --database default)
//	--database DB          ClickHouse database to load into (never system, information_schema)
//	--limit N              stop after N source records (0 = all)
//	--since TIME           only records updated after this RFC 3339 time
//	--full                 sweep every record; close versions of keys the source no longer returns
//	--max-close-fraction F with --full or --deletes, close at most this share of the current keys, 1 = all
//	                       (default 0.1)
//	--deletes              sweep only the ids; close versions of keys the source no longer returns
//	--dry-run              fetch, map and compare; write nothing; print what would change
//	--all-fields           fetch whole records, not only the fields the mapping reads
//	--migrate              apply the table's pending generated migrations before loading
//	--page-size N          records per ConnectWise page, 1..1000 (default 1000)
//	--streams N            fetch id ranges in N parallel streams, 1..16 (default 1)
//	--rpm N                ConnectWise requests per minute shared by all streams (0 = no limit)
//	--connectwise-url URL  REST root (env CONNECTWISE_URL); credentials from CONNECTWISE_COMPANY,
//	                       CONNECTWISE_PUBLIC_KEY, CONNECTWISE_PRIVATE_KEY, CONNECTWISE_CLIENT_ID
//	--clickhouse DSN       load into a ClickHouse server (env CLICKHOUSE_DSN), e.g.
//	                       clickhouse://user:pw@host:9000/default?secure=true; rows are inserted
//	                       as RowBinary over the server's HTTP interface (8123, or 8443 with
//	                       secure=true; http_port=N in the DSN for other native ports); without
//	                       it, load into embedded ClickHouse (chDB) in --data-dir
//	--cluster NAME         load into the ClickHouse cluster NAME (env CLICKHOUSE_CLUSTER) through the
//	                       node --clickhouse names: the generated cluster DDL (replicated <table>_local,
//	                       Distributed <table>), ON CLUSTER, every replica written before a batch counts
//	--zk-prefix PATH       ZooKeeper path prefix of the cluster's replicated tables (env
//	                       CLICKHOUSE_ZK_PREFIX) (default /clickhouse/tables)
//	--data-dir DIR         embedded ClickHouse data directory (default ./data)
//	--max-rejects N        fail once more than N records are rejected (default 100)
//	--batch-rows N         records per batch and rows per INSERT (default 10000)
//	--batch-bytes N        also end a batch at N bytes of source JSON, 32 MiB (default 33554432)
//	--max-wait D           longest one ConnectWise request may spend retrying (default 5m0s)
//	--show-current N       after loading, print the first N rows of the current view (0 = none)
//	--verify               load nothing: check the table's SCD Type 2 invariants (see below)
//
// # Exit status
//
//	0  every record read was loaded (with --dry-run: would be)
//	3  the run loaded and was recorded, but rejected records, at most
//	   --max-rejects; the last line on stderr gives their count, their share
//	   of the records read and the reject file
//	1  failure, including more than --max-rejects rejects, a page that broke
//	   the paging rules, and a --full sweep that closed nothing for want of
//	   evidence (one line on stderr saying why, with the reject file when
//	   there is one)
//	2  usage error
//	75 SIGTERM or SIGINT stopped the run at a checkpoint (resume.go): the
//	   INSERT in flight and the mapped batch are written, the position is
//	   recorded in _canonic_checkpoints, and the next run of the same mode
//	   resumes there under the same run id; a second signal aborts (exit 1)
//
// Each connection variable has a per-tenant form that wins over the plain
// one: CONNECTWISE_ACME_PUBLIC_KEY for --tenant acme (env.go).
//
// Several records of one key in a run (duplicates) are loaded as the
// latest; they do not change the status. The summary on stdout counts
// records read, new keys, changed, unchanged, closed, rejected (with their
// share of the records read) and duplicate records, child requests, rows
// written and the time taken. On a terminal a progress bar shows records read (the
// total from the endpoint's /count); otherwise progress is logged with
// log/slog on stderr. Secrets (the ConnectWise keys, the DSN's password)
// never appear in the output: the packages below keep them out of errors,
// and Main's writers redact them as a last resort.
//
// # Checking a table: --verify
//
// --verify loads nothing. It reads the tenant's table (FINAL) and prints each
// violation with its key: a key with more than one current version
// (current); is_current set on a version with an end, or a version without
// an end that is not current (flag); a version ending before or when it
// starts (end); a version overlapping the next of its key (overlap) or
// ending before the next starts (chain: a gap), as scd.Check states them;
// a record_hash that is not the hash of the row's columns (hash); and,
// when the ConnectWise settings are there, a number of current keys
// different from the endpoint's /count (count). A key
// without a current version is one a --full run closed. The per-key rules
// run in SQL, which returns only the suspect keys; the hashes are recomputed
// with the generated code, reading the table in key ranges of about 50,000
// rows. Closed versions keep the hash they were written with, so a row
// whose hash matches an earlier recorded hash definition passes. Exit status
// 0 with no violation, 1 with any (the last line on stderr gives the count).
// The code is verify.go.
// # AWS Lambda
//
// When AWS_LAMBDA_RUNTIME_API is set, Main serves Lambda invocations
// (lambda.go) instead of reading flags: the event is a JSON object with the
// flags' meanings in snake_case (event.go: tenant, database, limit, since,
// full, dry_run, page_size, max_rejects, migrate, streams, rpm), checked
// strictly and by the same rules as the flags; connection settings come
// from the environment only, and CLICKHOUSE_DSN is required. The answer is
// an Answer (complete, run_id, mode and the counts); failures are one-line
// EventError, ConfigError or LoadError answers; logs are JSON lines. Each
// invocation stops before its deadline at a checkpoint (deadline.go sizes
// the margin) and answers complete:false; the next one with the same event
// resumes. `make lambda` builds the provided.al2023 packages.
//
// # Loading rules (SCD Type 2, insert-only)
//
// The table is a ReplacingMergeTree(updated_at) ordered by (key,
// effective_start_date): a row rewritten with the same key and start and a
// later updated_at replaces the earlier one. The rules of what to write
// are pure functions in internal/scd (with a table test per rule); the
// files of this package orchestrate: prepare.go (create, migrate,
// preflight), mode.go (mode and cursor), sweep.go (fetching), batch.go
// (planning a batch), decode.go (decoding pages), children.go (child
// columns), write.go (INSERTs),
// close.go (closing deleted keys, only on the evidence evidence.go
// weighs), deletes.go (the ids-only sweep).
//
//  1. After one small request (the endpoint's first id) has shown that the
//     ConnectWise URL, credentials and client id work, the database, the
//     table (the generated DDL, run with the tenant
//     database as the session's database) and the runs state table
//     (_canonic_runs) are created when missing. A live table whose columns
//     differ from the generated ones in name, order or type is refused: the
//     difference is printed per column with the ALTER statements that would
//     fix it. A dry run creates nothing. A table that does not exist yet
//     is created while the sweep starts (setup.go): the source is counted
//     and its first pages are fetched and decoded meanwhile, but every
//     engine call of the sweep waits until the statements are done, which
//     run in the same order as on an existing table's run.
//  2. Source records are fetched with forward-only paging: all of them with
//     --full or on the first run; those updated after --since; otherwise
//     those updated after the cursor of this table's last successful run.
//     A record that does not decode (*table.FieldError) is rejected: counted
//     and written with its error to <data-dir or working dir>/rejects/
//     <tenant>-<table>-<run id>.jsonl; more than --max-rejects fails the
//     run. Several records of one key keep the latest version timestamp.
//     A page that breaks the paging rules (connectwise.PagingFault: ids
//     not above the pageId asked for, a next pageId other than the page's
//     last id, an empty page linking further on, a full page without a
//     next link, more records than pageSize, more pages than twice what
//     /count implies plus ten) ends the run with an error. Invalid UTF-8
//     in a source string is replaced with U+FFFD, counted per source field
//     and reported.
//  3. Records are planned in batches of --batch-rows (or fewer, once their
//     source JSON reaches --batch-bytes): the current versions
//     of the batch's keys (key, start, hash, created_at, updated_at) are
//     read when the batch is planned, through the primary key; nothing is
//     kept per key between batches, so memory does not grow with the
//     table.
//  4. A new key gets a current version (effective_end_date NULL, is_current)
//     starting at the record's VersionColumn value, or at the run start for
//     tables without one. A record whose hash equals its key's current
//     version writes nothing. A changed record writes, in the same INSERT,
//     the old version again closed (effective_end_date = the new start,
//     is_current false) and the new current version. The new start must be
//     later than the start of the version it closes: when the source
//     timestamp is not (a change within the same second, or clock skew) it
//     is the old start plus one second.
//  5. created_at is when a version row was first written and survives its
//     rewrites; updated_at is the write time, and a rewrite always moves it
//     past the row's previous updated_at (max(now, previous + 1s)) so that
//     ReplacingMergeTree keeps the rewrite.
//  6. With --full, every key the sweep returned (rejected ones included)
//     is recorded in the state table _canonic_sweep_keys under the run's
//     id; once the whole sweep succeeded, every key current in the table
//     that the sweep did not record gets its current version closed at the
//     run start (an anti-join in ClickHouse, read in chunks). A partial run
//     (--limit, --since, a reject without an id, an error) closes nothing.
//     Nor does a sweep without evidence that it saw the whole source
//     (evidence.go): the records read must agree with /count taken before
//     and after the sweep (within the records changed meanwhile), and the
//     keys to close must be at most --max-close-fraction of the current
//     keys; otherwise the run fails (exit 1) saying why in one line, and
//     the rows it loaded stay.
//  7. A batch's rows are inserted in INSERTs of at most --batch-rows rows
//     that never split one key's rows; the stored rows of changed keys are
//     read per batch. A first load into an empty table on the embedded
//     engine (no --full, --deletes, deadline or cluster) appends its
//     batches to one INSERT instead, written as a part per million rows
//     (warehouse.Streamer, StreamBlockRows); a key the source repeats commits it, and the
//     rest of the run inserts batch by batch. The run is recorded in _canonic_runs only after
//     every insert succeeded, with the cursor for the next run: the latest
//     version timestamp seen, at most the run start less ten minutes
//     (records updated during the sweep are read again, at no write cost).
//     A run that did not read everything since the previous cursor
//     (--limit, a --since later than it, rejects) keeps the previous
//     cursor.
//
// Pages are decoded on every core (decode.go, pipeline in sweep.go) while
// the loader plans and writes earlier ones, one at a time, in page order;
// a page's buffer goes back to the client once decoded, and the pages
// between fetching and handling hold at most 96 MiB together, so pages of
// very wide records pass one or two at a time. Each record is decoded by
// its table's generated fast decoder, or by goccy/go-json when the record
// is out of the ordinary (see maprt.Lexer).
//
// Every INSERT writes whole keys (a part per INSERT; a streamed one holds
// one row per key), so a crash at any point leaves each key with exactly
// one current version; the rerun starts from the last recorded
// cursor, finds the keys already written unchanged and writes the rest. A
// rerun over the same source data writes nothing.
package backfill
