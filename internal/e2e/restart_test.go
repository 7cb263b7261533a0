package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
)

// TestServerRestartMidRun restarts the ClickHouse server while a backfill
// is loading into it. The run either fails with a one-line reason or
// completes; a rerun then completes, and the table equals that of a twin
// tenant loaded without the restart.
func TestServerRestartMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test of the server engine (-short)")
	}
	srv := chserver.Start(t) // private: the restart must not disturb other tests
	tg := &target{kind: kindServer, srv: srv, dsn: srv.DSNFor(chserver.LoaderUser, chserver.LoaderPassword, "default"), workDir: t.TempDir()}
	const seed, n = 57, 2000
	store, twin := cwfake.NewStore(seed, n), cwfake.NewStore(seed, n)
	slow := startCW(t, cwfake.Config{Store: store, SlowPage: 120 * time.Millisecond})
	fast := startCW(t, cwfake.Config{Store: store})
	clean := startCW(t, cwfake.Config{Store: twin})
	db, dbTwin := tg.tenant(t, "restarted"), tg.tenant(t, "twin")
	args := []string{"--page-size", "100", "--batch-rows", "200"}

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd, out, errb, _ := command(t, ctx, tg, slow, db, args...)
	listed := slow.nextList()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-listed:
	case err := <-done:
		t.Fatalf("the run ended before its first page: %v\n%s%s", err, out, errb)
	}
	time.Sleep(700 * time.Millisecond) // several inserts in
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	err := <-done
	t.Logf("run across the restart: %v\n%s", err, tail(errb.String(), 3))
	if err != nil && !slices.Contains([]int{1}, cmd.ProcessState.ExitCode()) {
		t.Fatalf("the interrupted run exited %d, want 0 or 1", cmd.ProcessState.ExitCode())
	}
	checkNoSecrets(t, result{stdout: out.String(), stderr: errb.String()})

	mustBackfill(t, tg, fast, db, args...)
	mustBackfill(t, tg, clean, dbTwin, args...)
	cols := []string{"id", "summary", "status", "effective_start_date", "effective_end_date", "is_current", "record_hash"}
	got, want := tg.versions(t, db, ""), tg.versions(t, dbTwin, "")
	if len(want) != n {
		t.Fatalf("the twin has %d versions, want %d", len(want), n)
	}
	checkSameRows(t, "the table loaded across a server restart vs. the clean one", got, want, cols)
	checkSCD(t, tg, db, idSet(sourceTickets(store.Tickets())))
}
