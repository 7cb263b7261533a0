// Package bench measures the performance claims of the issue "measured
// performance" with Go benchmarks that compare variants side by side in
// one run. Nothing here asserts a timing: the figures are read from the
// benchmark output (`make bench`, or the commands below), and each ratio
// is reported with b.ReportMetric by a final "Ratios" sub-benchmark
// computed from the runs above it in the same process.
//
// The machine is assumed noisy (2 shared cores): where two variants are
// compared, one sub-benchmark runs them interleaved in one loop and times
// each, so that a ratio does not move with the load between two separate
// runs. Use -count N and take the median for a report.
//
// # Mapper (BenchmarkMapper, BenchmarkMapperDecoders)
//
//	go test -run '^$' -bench Mapper -benchmem ./internal/bench
//
// One op is one realistic page: 1000 tickets rendered by cwfake (seed 1,
// ~4.6 KB a record), split once with connectwise.SplitRecords outside the
// timing (the Split sub-benchmark times that split on its own). Per-record
// figures (ns/record, allocs/record, B/record) are reported next to the
// per-page ones.
//
//   - Generated: tickets.Decode (decode + map + SHA-256 record hash), one
//     reused Row.
//   - BareDecode: maprt.Unmarshal into tickets.Source only: the floor the
//     generated mapper is built on.
//   - Generic: a mapper interpreting the mapping file at run time (see
//     Generic): encoding/json into map[string]any, source paths walked by
//     their "__" segments, conversion by canonical type, fields set by
//     reflection, the same hash. TestGenericMatchesGenerated checks it
//     produces the same 1000 rows, hash included.
//   - MapOnly: tickets.Map on pre-decoded sources (Generated - BareDecode).
//   - Interleaved, Ratios: x_generic_over_generated = Generic ns /
//     Generated ns, target >= 5; x_generated_over_bare = Generated ns /
//     BareDecode ns, target <= 1.3. The *_separate variants are the same
//     ratios from the separate sub-benchmarks.
//
// BenchmarkMapperDecoders runs the bare decode (Bare/<decoder>) and the
// whole generated path (Full/<decoder>) with each candidate decoder:
// encoding/json, goccy/go-json (Unmarshal, UnmarshalOf, no-copy strings;
// "maprt" is what maprt.Unmarshal calls), bytedance/sonic (ConfigStd,
// ConfigDefault) and segmentio/encoding; RoundRobin times them all under
// the same load. TestDecodersAgree checks that every candidate decodes
// every record to the same Source.
//
// Three benchmarks size proposals for code outside this package:
// BenchmarkMapperPartial maps the same page rendered with the ConnectWise
// fields parameter restricted to the mapping's source paths (the loader
// does not ask for it today; TestPartialMatches checks the rows are the
// same); BenchmarkMapperSplit compares connectwise.SplitRecords with
// SplitTrusted, a non-validating splitter for pages the client already
// validated; BenchmarkMapperLeaves decodes into tickets.Source (pointer
// leaves) and into a value-leaf copy of it (the bound of what the
// per-leaf allocations cost).
//
// # End to end (BenchmarkEndToEnd)
//
//	go test -run '^$' -bench EndToEnd ./internal/bench   # CANONIC_BENCH_N=20000 by default
//
// N tickets loaded into an empty embedded (chDB) database (SCD2: every key
// gets its current version), every variant once per round, interleaved,
// for CANONIC_BENCH_ROUNDS rounds (default 3); each figure is the median
// over the rounds:
//
//   - BackfillHTTP: backfill.Load through connectwise.Client from the
//     cwfake command on loopback, in its own process (--page-cache: every
//     page is kept as sent after one warming sweep, so the server only
//     writes bytes), the ticket's own columns; then a --full rerun and the
//     rerun as run (from the cursor).
//   - BackfillHTTPStreams2: the same first load with --streams 2, two id
//     ranges fetched in parallel.
//   - BackfillHTTPDescriptions: the generated table as is, description
//     read from each new ticket's notes (one request a ticket).
//   - BackfillMemory, BackfillMemoryDescriptions: the same from pages
//     pre-rendered in memory: the loader and the engine alone.
//   - EngineIngest, EngineIngestDescriptions: the engine ingesting the
//     same records itself: one INSERT ... SELECT of the 41 columns
//     computed with ClickHouse expressions, record hash included
//     (IngestSQL), FROM file(<tmp>, JSONEachRow), into a table of the same
//     generated DDL, with the loader's insert settings
//     (optimize_on_insert = 0); timed: the INSERT only.
//     TestEngineIngestMatches checks it writes the backfill's rows (every
//     column but created_at and updated_at), with and without
//     descriptions.
//
// Every variant and the engine read the same records: the fields the
// loader asks ConnectWise for (tickets.Table.SourceFields, with _info
// whole, about 1.9 KB a ticket). The pages and notes served from memory
// live outside the Go heap (offHeap) and the store that rendered them is
// dropped, so the loads in this process collect garbage as often as the
// backfill binary does: a fixture of a gigabyte in the heap would let the
// collector wait ten times longer.
//   - Ratios: x_http_over_engine = BackfillHTTP rows/s over EngineIngest's
//     (target >= 1), and likewise for the other variants.
//
// Per variant: rows/s, rows/s-best, cpu-cores (this process's CPU time
// over wall time: the engine's threads count, the server's process does
// not), fetch-share and insert-share of the wall time, and for
// BackfillHTTP x_first_over_full_rerun, x_first_over_incremental_rerun
// (target >= 5) and rerun-rows-written (must be 0).
//
// # Memory (BenchmarkMemory, off by default)
//
//	CANONIC_BENCH_MEM=1 go test -run '^$' -bench Memory -benchtime 1x -timeout 60m ./internal/bench
//
// Builds cmd/backfill-connectwise-tickets and cmd/cwfake, serves
// CANONIC_BENCH_MEM_SIZES tickets (default 1000,100000,1000000) with
// cwfake on loopback, runs a first load in a subprocess into the test
// ClickHouse server and into an empty embedded data directory, and
// reports its peak RSS (VmHWM polled every 20 ms: wait4's ru_maxrss
// carries the benchmark process's own peak into children started with
// vfork) and its Go heap (gctrace). For the embedded engine, a second
// subprocess runs the engine alone on the same records (its own
// JSONEachRow ingest). Ratios: x_server_peak_largest_over_100k (target
// <= 1.2), server-peak-MB-largest (target <= 150) and
// x_loader_over_engine_largest_over_100k (target <= 1.2). Extra backfill
// flags and environment: CANONIC_BENCH_MEM_ARGS, CANONIC_BENCH_MEM_ENV;
// CANONIC_BENCH_MEM_ENGINE=server or embedded runs one engine only.
//
// # Generation (BenchmarkGenerate)
//
//	go test -run '^$' -bench Generate ./internal/bench
//
// gen/compiler.Compile in process of a scratch project with 1 and with 100
// copies of the tickets mapping (testdata/_gen, gitignored): ms/compile,
// ms/mapping, and per_mapping_100_over_1 (no target; 1 = linear).
package bench
