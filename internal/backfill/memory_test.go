package backfill_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// childArgsEnv carries the arguments of a backfill run in a child process
// (see TestBackfillChild).
const childArgsEnv = "CANONIC_BACKFILL_CHILD_ARGS"

// TestBackfillChild is not a test: run by runChild in a fresh process, it
// runs the backfill command with the arguments in childArgsEnv, so that the
// parent can read the peak RSS of a load alone.
func TestBackfillChild(t *testing.T) {
	args := os.Getenv(childArgsEnv)
	if args == "" {
		t.Skip("runs only as the child of a memory test")
	}
	os.Exit(backfill.Main(wt.Tickets(), strings.Split(args, "\n"), os.Stdout, os.Stderr))
}

// runChild runs the backfill command in a child process and returns its
// result and peak resident set size in bytes.
func runChild(t *testing.T, args ...string) (result, int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackfillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(args, "\n"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("child did not run: %v", err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this platform")
	}
	return result{cmd.ProcessState.ExitCode(), out.String(), errb.String()}, ru.Maxrss * 1024 // Linux reports KiB
}

// TestWideRecordsBoundedMemory loads 2,000 records of 1 MiB each (2 GiB of
// source text) and checks that the loader's peak RSS stays under 768 MiB:
// batches flush on --batch-bytes (32 MiB by default) as well as on rows,
// and pages of 50 records bound what the client holds (a page being read,
// one queued, one being mapped), and the pages decoded ahead hold at most
// 96 MiB together (pipelineMemory; without it, 696-770 MiB once pages were
// decoded on every core; with it 523-544 MiB). Measured earlier on a loaded
// 2-core machine:
// 404 MiB (inserts over HTTP); 540 MiB when inserts went through the
// native driver, 793 MiB with a 64 MiB budget, 427 MiB with 16 MiB. Before
// the byte budget the 10,000-row batch held every record, and the server
// refused the 2 GiB INSERT.
func TestWideRecordsBoundedMemory(t *testing.T) {
	const records, limit = 2000, 768 << 20
	tg := wt.Server(t) // the engine runs outside the child, so its RSS is the loader's alone
	store := cwfake.NewStore(5, records)
	api := hostileCW(t, store)
	if err := api.SetHostile(cwfake.HostileWideRecords); err != nil {
		t.Fatal(err)
	}
	db := wt.Database(t)
	r, peak := runChild(t, "--tenant", db, "--clickhouse", tg.DSN, "--page-size", "50")
	t.Logf("peak RSS %d MiB for %d records of 1 MiB", peak>>20, records)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	expect(t, r, map[string]string{"records read": "2000", "new keys": "2000"})
	if peak > limit {
		t.Errorf("peak RSS %d MiB, over the %d MiB bound", peak>>20, limit>>20)
	}
}
