package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
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
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--port-file", portFile, "--seed", "1", "--tickets", strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
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
	peakMB  float64 // ru_maxrss of the child (wait4's rusage)
	hwmMB   float64 // VmHWM polled from /proc/<pid>/status (a lower bound)
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
	var hwm float64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if kb := vmHWM(cmd.Process.Pid); kb > hwm {
					hwm = kb
				}
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	r := memRun{elapsed: time.Since(t0), summary: stdout.String()}
	if err != nil {
		tb.Fatalf("backfill %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r.peakMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	r.hwmMB = hwm / 1024
	r.heapMB, r.liveMB = gcHeaps(stderr.String())
	return r
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
// cmd/backfill-connectwise-tickets and cmd/cwfake, and for each size of
// CANONIC_BENCH_MEM_SIZES (default 1000, 100000, 1000000) serves that many
// tickets with cwfake and runs a first load into an empty embedded
// database, reporting the backfill process's peak RSS (ru_maxrss).
// Ratios: x_peak_largest_over_100k (target <= 1.5 for 1M) and the peak of
// the largest size (target < 300 MB).
func BenchmarkMemory(b *testing.B) {
	if os.Getenv(EnvMem) != "1" {
		b.Skipf("set %s=1 to run (builds two commands, loads up to 1M tickets)", EnvMem)
	}
	sizes := memSizes(b)
	dir := b.TempDir()
	backfillBin := buildCommand(b, dir, "backfill-connectwise-tickets")
	cwfakeBin := buildCommand(b, dir, "cwfake")
	var dsn string
	if os.Getenv(EnvMemEngine) == "server" {
		dsn = wt.Server(b).DSN
	}
	peaks := map[int]float64{}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("Tickets%d", n), func(b *testing.B) {
			url, stop := startCWFake(b, cwfakeBin, dir, n)
			defer stop()
			var run memRun
			b.StopTimer()
			for i := range b.N {
				dataDir := filepath.Join(dir, fmt.Sprintf("data-%d-%d", n, i))
				b.StartTimer()
				if dsn != "" {
					db := fmt.Sprintf("bench_mem_%d_%d", n, i)
					run = runBackfill(b, backfillBin, url, dataDir, "--clickhouse", dsn, "--database", db)
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
			peaks[n] = run.peakMB
			b.ReportMetric(run.peakMB, "peak-RSS-MB")
			b.ReportMetric(run.hwmMB, "polled-VmHWM-MB")
			b.ReportMetric(run.heapMB, "go-heap-peak-MB")
			b.ReportMetric(run.liveMB, "go-live-max-MB")
			b.ReportMetric(float64(n)/run.elapsed.Seconds(), "rows/s")
			b.Logf("%d tickets: peak RSS %.0f MB, %s\n%s", n, run.peakMB, run.elapsed.Round(time.Millisecond), run.summary)
		})
	}
	b.Run("Ratios", func(b *testing.B) {
		for range b.N {
		}
		largest := sizes[len(sizes)-1]
		if p100k, p := peaks[100_000], peaks[largest]; p100k > 0 && p > 0 && largest != 100_000 {
			b.ReportMetric(p/p100k, "x_peak_largest_over_100k")
		}
		if p := peaks[largest]; p > 0 {
			b.ReportMetric(p, "peak-MB-largest")
		}
	})
}
