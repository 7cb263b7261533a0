package backfill_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/cwfake"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// fingerprint summarizes db.tickets (FINAL) by what a load decides: the
// version rows' keys, starts, ends, current flags and hashes (not the
// write times).
func fingerprint(t *testing.T, tg wt.Target, db string) []int64 {
	t.Helper()
	q := "SELECT toInt64(count()), toInt64(countIf(is_current)), groupBitXor(cityHash64(id, effective_start_date, " +
		"ifNull(toUInt32(effective_end_date), 0), is_current, record_hash)) FROM `" + db + "`.tickets FINAL"
	return queryInt64s(t, tg.Engine, q, 3)[0]
}

// oneShot loads store into the generated tickets table in one CLI run (in process, from a fast fake) into
// a fresh database and returns its fingerprint.
func oneShot(t *testing.T, tg wt.Target, store *cwfake.Store) []int64 {
	t.Helper()
	fakeCW(t, store)
	db := wt.Database(t)
	var out, errb bytes.Buffer
	if code := backfill.Main(&tickets.Table, []string{"--tenant", db, "--clickhouse", tg.DSN}, &out, &errb); code != 0 {
		t.Fatalf("one-shot load: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	return fingerprint(t, tg, db)
}

// invokeUntilComplete invokes event until the answer says complete,
// calling each (when not nil) after every invocation that does not.
func invokeUntilComplete(t *testing.T, emu *emulator, event string, each func(invocation)) []invocation {
	t.Helper()
	var out []invocation
	for len(out) < 40 {
		inv := emu.invoke(t, event)
		if inv.ErrorMessage != "" {
			t.Fatalf("invocation %d of %s failed: %s", len(out)+1, event, inv.raw)
		}
		out = append(out, inv)
		if inv.Complete {
			return out
		}
		if each != nil {
			each(inv)
		}
	}
	t.Fatalf("%s: not complete after %d invocations", event, len(out))
	return nil
}

// TestLambdaCutAndResumed: with a 5 s timeout and 1 s pages, a first load
// of 20k tickets takes several invocations under the emulator, each
// answering complete:false until the last, every one advancing the
// checkpoint; the table equals a one-shot CLI load and the run is recorded
// once with its totals. A --full sweep cut the same way closes the deleted
// keys only in its last invocation.
func TestLambdaCutAndResumed(t *testing.T) {
	tg := wt.Server(t)
	db := wt.Database(t)
	store := cwfake.NewStore(12, 20_000)
	_, url := cwServer(t, cwfake.Config{Store: store, SlowPage: time.Second})
	emu := startEmulator(t, lambdaEnv(tg, db, url), 5*time.Second)

	event := `{"tenant": "` + db + `"}`
	answers := invokeUntilComplete(t, emu, event, nil)
	var read, written, news int64
	for i, a := range answers {
		t.Logf("first load, invocation %d: %s", i+1, a.raw)
		// Every invocation that answers complete:false has advanced the
		// checkpoint; the last may only find that nothing is left.
		if a.RunID != answers[0].RunID || a.Mode != "initial" || (!a.Complete && a.RecordsRead == 0) {
			t.Errorf("invocation %d answered %s; want run %s, mode initial, records read", i+1, a.raw, answers[0].RunID)
		}
		read, written, news = read+a.RecordsRead, written+a.RowsWritten, news+a.NewKeys
	}
	if len(answers) < 3 || read != 20_000 || written != 20_000 || news != 20_000 {
		t.Fatalf("%d invocations read %d, wrote %d, new %d; want 3 or more, 20000 each", len(answers), read, written, news)
	}
	if got, want := fingerprint(t, tg, db), oneShot(t, tg, store); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("table after the resumed load %v, after a one-shot load %v", got, want)
	}
	runs := queryInt64s(t, tg.Engine, "SELECT toInt64(count()), toInt64(sum(records_read)), toInt64(sum(new_keys)) FROM `"+db+"`._canonic_runs", 3)[0]
	if runs[0] != 1 || runs[1] != 20_000 || runs[2] != 20_000 {
		t.Errorf("runs recorded: %v; want one run with 20000 records read and new keys", runs)
	}

	rep := store.Mutate(5, 30, 25, 10)
	deleted := make([]string, len(rep.Deleted))
	for i, id := range rep.Deleted {
		deleted[i] = fmt.Sprint(id)
	}
	currentDeleted := func() int64 {
		return queryInt64s(t, tg.Engine, "SELECT toInt64(countIf(is_current)) FROM `"+db+"`.tickets FINAL WHERE id IN ("+strings.Join(deleted, ",")+")", 1)[0][0]
	}
	full := `{"tenant": "` + db + `", "full": true}`
	answers = invokeUntilComplete(t, emu, full, func(a invocation) {
		if a.RecordsRead == 0 {
			t.Errorf("a cut invocation read nothing: %s", a.raw)
		}
		if a.Closed != 0 {
			t.Errorf("a cut full sweep closed %d keys before its end: %s", a.Closed, a.raw)
		}
		if n := currentDeleted(); n != int64(len(deleted)) {
			t.Errorf("after a cut invocation %d of the %d deleted keys are current, want all", n, len(deleted))
		}
	})
	var changed, added int64
	for i, a := range answers {
		t.Logf("full sweep, invocation %d: %s", i+1, a.raw)
		changed, added = changed+a.Changed, added+a.NewKeys
	}
	last := answers[len(answers)-1]
	if len(answers) < 2 || last.Closed != 25 || changed != 30 || added != 10 {
		t.Fatalf("full sweep: %d invocations, closed %d at the end, changed %d, new %d; want 2 or more, 25, 30, 10", len(answers), last.Closed, changed, added)
	}
	if n := currentDeleted(); n != 0 {
		t.Errorf("%d deleted keys still current after the sweep", n)
	}
	bad := queryInt64s(t, tg.Engine, "SELECT toInt64(count()) FROM (SELECT id, sum(is_current) AS c FROM `"+db+"`.tickets FINAL GROUP BY id) WHERE c != 1", 1)[0][0]
	if bad != int64(len(deleted)) {
		t.Errorf("%d keys without exactly one current version, want the %d deleted", bad, len(deleted))
	}
}

// TestCLISignalCheckpointAndResume: the backfill binary (the bootstrap,
// run as a command) stops on SIGTERM at a checkpoint with exit 75 and one
// line saying the run is resumable; the next run resumes and the table
// equals a one-shot load.
func TestCLISignalCheckpointAndResume(t *testing.T) {
	tg := wt.Server(t)
	db := wt.Database(t)
	store := cwfake.NewStore(13, 5000)
	fake, url := cwServer(t, cwfake.Config{Store: store, SlowPage: 300 * time.Millisecond})
	bin := filepath.Join(lambdaBootstrap(t), "bootstrap")
	command := func() (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		cmd := exec.Command(bin, "--tenant", db, "--clickhouse", tg.DSN, "--page-size", "500")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range lambdaEnv(tg, db, url) {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cmd, &out, &errb
	}
	cmd, out, errb := command()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); fake.Stats().Faults["slow"] < 3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no pages served\n%s", errb.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 75 {
		t.Fatalf("after SIGTERM: %v, want exit 75\nstdout:\n%s\nstderr:\n%s", err, out, errb)
	}
	t.Logf("interrupted run:\n%s%s", out, errb)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "resumable") || !strings.Contains(last, "run the same command again") {
		t.Errorf("the last line does not say the run is resumable: %q", last)
	}
	first := summaryValue(t, result{stdout: out.String()}, "new keys")
	if first == "0" || first == "5000" {
		t.Fatalf("the interrupted run wrote %s new keys, want some but not all", first)
	}

	cmd, out, errb = command()
	if err := cmd.Run(); err != nil {
		t.Fatalf("resumed run: %v\n%s\n%s", err, out, errb)
	}
	t.Logf("resumed run:\n%s", out)
	r := result{stdout: out.String()}
	if !strings.Contains(r.stdout, "resumed") {
		t.Errorf("the second run did not resume:\n%s", r.stdout)
	}
	var n1, n2 int
	fmt.Sscan(first, &n1)
	fmt.Sscan(summaryValue(t, r, "new keys"), &n2)
	if n1+n2 != 5000 {
		t.Errorf("new keys %d + %d, want 5000 (nothing read twice)", n1, n2)
	}
	if got, want := fingerprint(t, tg, db), oneShot(t, tg, store); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("table after the resumed load %v, after a one-shot load %v", got, want)
	}
}
