package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// Environment of the memory benchmark, which is off by default.
const (
	EnvMem      = "CANONIC_BENCH_MEM"       // "1" runs BenchmarkMemory
	EnvMemSizes = "CANONIC_BENCH_MEM_SIZES" // ticket counts, default "1000,100000,1000000"
	EnvMemArgs  = "CANONIC_BENCH_MEM_ARGS"  // extra backfill flags, space-separated (e.g. "--batch-rows 10000")
	EnvMemEnv   = "CANONIC_BENCH_MEM_ENV"   // extra environment of the backfill, space-separated (e.g. "GOGC=50")
	// EnvMemEngine "server" loads into the test ClickHouse server
	// (--clickhouse) instead of the embedded engine: the loader's memory
	// without chDB's.
	EnvMemEngine = "CANONIC_BENCH_MEM_ENGINE"
)

func memSizes(tb testing.TB) []int {
	v := os.Getenv(EnvMemSizes)
	if v == "" {
		v = "1000,100000,1000000"
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			tb.Fatalf("%s=%q: want comma-separated positive counts", EnvMemSizes, v)
		}
		out = append(out, n)
	}
	return out
}

// buildCommand builds ./cmd/<name> of the module into dir.
func buildCommand(tb testing.TB, dir, name string) string {
	tb.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+name)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/%s: %v\n%s", name, err, b)
	}
	return out
}

// startCWFake starts the cwfake command with n tickets on a loopback port
// and returns its API base URL and a stop function.
func startCWFake(tb testing.TB, bin, dir string, n int) (string, func()) {
	tb.Helper()
	portFile := filepath.Join(dir, fmt.Sprintf("cwfake-%d.addr", n))
	os.Remove(portFile)
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--port-file", portFile, "--seed", "1", "--tickets", strconv.Itoa(n),
		"--related=false", "--render-cache-mb", "16384", "--page-cache")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Killed with this process, should it die before stop is called.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		data, err := os.ReadFile(portFile)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			return "http://" + strings.TrimSpace(string(data)) + cwfake.DefaultBasePath + "/", stop
		}
		select {
		case err := <-exited:
			tb.Fatalf("cwfake exited (%v): %s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			tb.Fatalf("cwfake did not start in time: %s", stderr.String())
		}
	}
}

// memRun is one backfill subprocess.
type memRun struct {
	peakMB  float64 // the child's VmHWM, polled from /proc/<pid>/status every 20 ms
	maxrss  float64 // ru_maxrss of the child (wait4's rusage): see childPeak
	heapMB  float64 // largest Go heap at a GC start (GODEBUG=gctrace=1)
	liveMB  float64 // largest Go heap live after a GC
	elapsed time.Duration
	summary string
}

// gcHeaps returns the largest heap at a GC start and the largest live
// heap after a GC of gctrace lines ("... 12->13->6 MB, 14 MB goal ...").
func gcHeaps(stderr string) (start, live float64) {
	for _, line := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		for _, f := range strings.Split(line, ", ") {
			f = strings.TrimSpace(f)
			if !strings.HasSuffix(f, " MB") || strings.Count(f, "->") != 2 {
				continue
			}
			parts := strings.Split(strings.TrimSuffix(f, " MB"), "->")
			a, _ := strconv.ParseFloat(parts[0], 64)
			c, _ := strconv.ParseFloat(parts[2], 64)
			start, live = max(start, a), max(live, c)
		}
	}
	return start, live
}

// runBackfill runs the backfill command against url into a fresh data
// directory and returns its peak RSS.
func runBackfill(tb testing.TB, bin, url, dataDir string, extra ...string) memRun {
	tb.Helper()
	args := append([]string{"--tenant", "bench", "--data-dir", dataDir}, extra...)
	args = append(args, strings.Fields(os.Getenv(EnvMemArgs))...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	cmd.Env = append(cmd.Env, strings.Fields(os.Getenv(EnvMemEnv))...)
	cmd.Env = append(cmd.Env,
		connectwise.EnvURL+"="+url,
		connectwise.EnvCompany+"="+cwfake.DefaultCompanyID,
		connectwise.EnvPublicKey+"="+cwfake.DefaultPublicKey,
		connectwise.EnvPrivateKey+"="+cwfake.DefaultPrivateKey,
		connectwise.EnvClientID+"="+cwfake.DefaultClientID,
		"CLICKHOUSE_DSN=",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	peak := childPeak(cmd)
	err := cmd.Wait()
	r := memRun{elapsed: time.Since(t0), summary: stdout.String()}
	if err != nil {
		tb.Fatalf("backfill %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	r.peakMB = peak() / 1024
	r.maxrss = float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // KiB on Linux
	r.heapMB, r.liveMB = gcHeaps(stderr.String())
	return r
}

// childPeak polls the started child's VmHWM (the high-water mark of its
// own address space) until the returned function is called after the
// child exited; that function returns the largest value seen, in KiB.
//
// wait4's ru_maxrss is not used: Go starts children with vfork
// (CLONE_VM), and Linux then carries the parent's high-water mark into the
// child's at exec, so a benchmark process that grew to gigabytes (the 1M
// fixtures) reports gigabytes for every child.
func childPeak(cmd *exec.Cmd) func() float64 {
	var hwm float64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if kb := vmHWM(cmd.Process.Pid); kb > hwm {
				hwm = kb
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-stopped
		return hwm
	}
}

// vmHWM reads VmHWM (KiB) of pid, 0 when unavailable.
func vmHWM(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			v, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return v
		}
	}
	return 0
}

// BenchmarkMemory (CANONIC_BENCH_MEM=1 only) builds
// cmd/backfill-connectwise-tickets and cmd/cwfake, and for each engine
// (CANONIC_BENCH_MEM_ENGINE: "server", "embedded" or, by default, both)
// and each size of CANONIC_BENCH_MEM_SIZES (default 1000, 100000,
// 1000000) serves that many tickets with cwfake (its render cache sized to
// hold them all) and runs a first load in a subprocess, reporting its peak
// RSS (polled VmHWM, see childPeak).
//
// The server engine's figure is the loader's own memory. The embedded
// engine runs ClickHouse in the loader's process, so its figure is set
// against the engine alone: a subprocess that opens chDB on an empty data
// directory and ingests the same records itself (INSERT ... SELECT FROM
// file(JSONEachRow), see IngestSQL). loader-over-engine-MB is the
// difference.
//
// Ratios: server x_peak_largest_over_100k (target <= 1.2) and
// peak-MB-largest (target <= 150); embedded
// x_loader_over_engine_largest_over_100k (target <= 1.2).
func BenchmarkMemory(b *testing.B) {
	if os.Getenv(EnvMem) != "1" {
		b.Skipf("set %s=1 to run (builds two commands, loads up to 1M tickets)", EnvMem)
	}
	sizes := memSizes(b)
	dir := b.TempDir()
	backfillBin := buildCommand(b, dir, "backfill-connectwise-tickets")
	cwfakeBin := buildCommand(b, dir, "cwfake")
	engines := []string{warehouse.KindServer, warehouse.KindEmbedded}
	switch e := os.Getenv(EnvMemEngine); e {
	case "":
	case warehouse.KindServer, warehouse.KindEmbedded:
		engines = []string{e}
	default:
		b.Fatalf("%s=%q: want server or embedded", EnvMemEngine, e)
	}
	peaks := map[string]map[int]float64{"engine-alone": {}}
	for _, engine := range engines {
		peaks[engine] = map[int]float64{}
		b.Run(engine, func(b *testing.B) {
			for _, n := range sizes {
				b.Run(fmt.Sprintf("Tickets%d", n), func(b *testing.B) {
					peaks[engine][n] = memoryOfLoad(b, engine, n, dir, backfillBin, cwfakeBin)
				})
				if engine == warehouse.KindEmbedded {
					b.Run(fmt.Sprintf("EngineAlone%d", n), func(b *testing.B) {
						peaks["engine-alone"][n] = memoryOfEngineAlone(b, n, dir)
					})
				}
			}
		})
	}
	b.Run("Ratios", func(b *testing.B) {
		for range b.N {
		}
		largest := sizes[len(sizes)-1]
		if largest == 100_000 {
			return
		}
		if p := peaks[warehouse.KindServer]; p[100_000] > 0 && p[largest] > 0 {
			b.ReportMetric(p[largest]/p[100_000], "x_server_peak_largest_over_100k")
			b.ReportMetric(p[largest], "server-peak-MB-largest")
		}
		e, alone := peaks[warehouse.KindEmbedded], peaks["engine-alone"]
		if e[100_000] > 0 && e[largest] > 0 && alone[100_000] > 0 && alone[largest] > 0 {
			small, large := e[100_000]-alone[100_000], e[largest]-alone[largest]
			b.ReportMetric(small, "embedded-loader-over-engine-MB-100k")
			b.ReportMetric(large, "embedded-loader-over-engine-MB-largest")
			if small > 0 {
				b.ReportMetric(large/small, "x_loader_over_engine_largest_over_100k")
			}
		}
	})
}

// memoryOfLoad runs one first load of n tickets into engine and returns
// the loader process's peak RSS in MB.
func memoryOfLoad(b *testing.B, engine string, n int, dir, backfillBin, cwfakeBin string) float64 {
	url, stop := startCWFake(b, cwfakeBin, dir, n)
	defer stop()
	var run memRun
	b.StopTimer()
	for i := range b.N {
		dataDir := filepath.Join(dir, fmt.Sprintf("data-%s-%d-%d", engine, n, i))
		b.StartTimer()
		if engine == warehouse.KindServer {
			db := fmt.Sprintf("bench_mem_%d_%d", n, i)
			run = runBackfill(b, backfillBin, url, dataDir, "--clickhouse", wt.Server(b).DSN, "--database", db)
			wt.Server(b).Engine.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		} else {
			run = runBackfill(b, backfillBin, url, dataDir)
		}
		b.StopTimer()
		os.RemoveAll(dataDir)
	}
	if !strings.Contains(run.summary, "rows written") {
		b.Fatalf("no summary:\n%s", run.summary)
	}
	b.ReportMetric(run.peakMB, "peak-RSS-MB")
	b.ReportMetric(run.maxrss, "ru_maxrss-MB")
	b.ReportMetric(run.heapMB, "go-heap-peak-MB")
	b.ReportMetric(run.liveMB, "go-live-max-MB")
	b.ReportMetric(float64(n)/run.elapsed.Seconds(), "rows/s")
	b.Logf("%s, %d tickets: peak RSS %.0f MB, %s\n%s", engine, n, run.peakMB, run.elapsed.Round(time.Millisecond), run.summary)
	return run.peakMB
}

// envEngineAlone makes the test binary the engine-alone process of
// BenchmarkMemory: "<data dir>|<JSONEachRow file>".
const envEngineAlone = "CANONIC_BENCH_ENGINE_ALONE"

// memoryOfEngineAlone runs the engine alone on the records of an n-ticket
// load (the same fields the loader requests) and returns its peak RSS.
func memoryOfEngineAlone(b *testing.B, n int, dir string) float64 {
	b.StopTimer()
	pages, err := RenderPages(cwfake.NewStore(1, n), connectwise.MaxPageSize, tickets.Table.SourceFields)
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("alone-%d.jsonl", n))
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, p := range pages {
		if err := connectwise.SplitRecords(p, func(rec []byte) error {
			w.Write(rec)
			return w.WriteByte('\n')
		}); err != nil {
			b.Fatal(err)
		}
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		b.Fatal(err)
	}
	pages = nil
	defer os.Remove(file)
	var peak float64
	for i := range b.N {
		dataDir := filepath.Join(dir, fmt.Sprintf("alone-%d-%d", n, i))
		cmd := exec.Command(os.Args[0], "-test.run", "^TestEngineAloneProcess$", "-test.count", "1")
		cmd.Env = append(os.Environ(), envEngineAlone+"="+dataDir+"|"+file)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		b.StartTimer()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		hwm := childPeak(cmd)
		err := cmd.Wait()
		b.StopTimer()
		if err != nil || !strings.Contains(out.String(), "engine alone ok") {
			b.Fatalf("engine alone: %v\n%s", err, out.String())
		}
		peak = hwm() / 1024
		os.RemoveAll(dataDir)
	}
	b.ReportMetric(peak, "peak-RSS-MB")
	return peak
}

// TestEngineAloneProcess is the engine-alone process of BenchmarkMemory
// (it runs only when the benchmark starts it).
func TestEngineAloneProcess(t *testing.T) {
	spec := os.Getenv(envEngineAlone)
	if spec == "" {
		t.Skip("run by BenchmarkMemory")
	}
	dataDir, file, _ := strings.Cut(spec, "|")
	g, err := NewGeneric[tickets.Row](filepath.Join("..", "..", tickets.Table.Mapping))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := warehouse.OpenEmbedded(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ctx := context.Background()
	if err := warehouse.EnsureDatabase(ctx, eng, "alone"); err != nil {
		t.Fatal(err)
	}
	if err := eng.ApplyDDL(ctx, "alone", tickets.Table.DDL); err != nil {
		t.Fatal(err)
	}
	q, err := IngestSQL(g, "alone", tickets.Table.Name, tickets.Table.VersionColumn, file)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Exec(ctx, q); err != nil {
		t.Fatal(err)
	}
	fmt.Println("engine alone ok")
}
